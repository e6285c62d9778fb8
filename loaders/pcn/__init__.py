"""Primary care networks, in one place: reading NHS England's registrations and the
practice-to-PCN map (:mod:`.registrations`), PCNs derived from them (:mod:`.derived`,
the ``pcn`` part), and PCN footprints an ICB supplies (:mod:`.supplied`, the
``pcn_footprints`` part and ``depmap load pcn-footprints``). The pure computations
they use are in :mod:`geo.pcn`."""
