/* depmap static map site: the map's vector tiles read from PMTiles archives with HTTP
 * range requests (npm "pmtiles"), so the page needs no depmap process, only a static web
 * server that answers Range (nginx, Caddy, an object store or CDN, or the site's serve.py).
 *
 * L.VectorGrid.PMTiles is Leaflet.VectorGrid's protobuf layer reading its tiles from an
 * archive: VectorGrid keeps its MVT parser private, so the tile's bytes (gunzipped by
 * pmtiles) go to the stock parser through a blob: URL. depmap-map.js uses it in its
 * "static" mode; popups are made from the tiles' attributes (the LSOA's own tile at the
 * detail zoom, where tiles carry name, score, rank, population and health values).
 */
(function () {
  "use strict";

  L.VectorGrid.PMTiles = L.VectorGrid.Protobuf.extend({
    initialize: function (url, options) {
      this._archive = new pmtiles.PMTiles(url);
      L.VectorGrid.Protobuf.prototype.initialize.call(this, "", options);
    },
    _getVectorTilePromise: function (coords) {
      var self = this;
      return this._archive.getZxy(coords.z, coords.x, coords.y).then(function (resp) {
        if (!resp || !resp.data || !resp.data.byteLength) return { layers: {} };  // no tile
        var blobUrl = URL.createObjectURL(new Blob([resp.data]));
        var saved = self._url;
        self._url = blobUrl;  // a template without {x}: used as it is
        var p = L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(self, coords);
        self._url = saved;
        return p.finally(function () { URL.revokeObjectURL(blobUrl); });
      });
    }
  });

  var layers = {};

  /* the archive's layer, as depmap-map.js would make a VectorGrid of tile URLs */
  function layer(cfg, name, options) {
    var lyr = new L.VectorGrid.PMTiles(cfg.archives[name], options);
    layers[name] = lyr;
    lyr.on("add", function () {
      var map = lyr._map;
      lyr._archive.getMetadata().then(function (m) {
        if (m && m.attribution && map.attributionControl) {
          map.attributionControl.addAttribution(m.attribution.replace(/</g, "&lt;"));
        }
      }).catch(function () { /* the tiles say what went wrong */ });
    });
    return lyr;
  }

  function tileOf(latlng, z) {
    var n = Math.pow(2, z);
    var r = latlng.lat * Math.PI / 180;
    return {
      z: z,
      x: Math.floor((latlng.lng + 180) / 360 * n),
      y: Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n)
    };
  }

  function fromTile(app, q) {
    var health = {};
    app.indicators.forEach(function (i) { if (i.value) health[i.value] = q[i.value]; });
    return {
      code: q.code, name: q.name, population: q.population, imd_score: q.imd_score,
      imd_rank: q.imd_rank, imd_decile: q.imd_decile, health: health, nhs: false,
      series: null
    };
  }

  /* an LSOA's profile from the tiles: its own at the detail zoom (or the clicked one) */
  function profile(app, props, latlng) {
    var lyr = layers.lsoa21;
    if (props.name !== undefined || !lyr) return Promise.resolve(fromTile(app, props));
    var z = Math.min(app.cfg.detail_zoom || 12, app.cfg.maxzoom);
    return lyr._getVectorTilePromise(tileOf(latlng, z)).then(function (vt) {
      var l = vt.layers && vt.layers.lsoa21;
      var feats = (l && l.features) || [];
      for (var i = 0; i < feats.length; i++) {
        if (feats[i].properties.code === props.code) return fromTile(app, feats[i].properties);
      }
      return fromTile(app, props);
    });
  }

  window.depmapStatic = { layer: layer, profile: profile };
})();
