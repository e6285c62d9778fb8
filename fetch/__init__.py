"""Fetching the official files from ONS, MHCLG and NHS England (``depmap fetch``):
downloads that resume and check themselves (:mod:`fetch.download`), ArcGIS
FeatureServer paging (:mod:`fetch.arcgis`), converters from the published layouts
to the data folder's (:mod:`fetch.official`), and the datasets that tie them
together (:mod:`fetch.datasets`). Nothing here touches the database."""
