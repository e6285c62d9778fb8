-- Features of a footprint collection (MSOAs, wards, local authorities, sub-ICBs, ICBs, PCNs,
-- programme areas) for an OGC API page: the IoD 2025 summary measures of :domain with
-- their ranks among the kind, the health profile, and the boundary projected to :srid.
SELECT a.code, a.name, a.programme, a.population, a.population_basis,
       {{m.measures}}, {{m.ranks}}, p.health,
       ST_AsGeoJSON(ST_Transform(a.geom, :srid), :digits, 0) AS geometry
FROM area a
LEFT JOIN area_measure m ON m.area_id = a.id AND m.domain = :domain
LEFT JOIN area_profile p ON p.area_id = a.id
WHERE a.id = ANY(:ids)
ORDER BY a.code
