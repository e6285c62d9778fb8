-- One area by its code (GSS code or programme/custom id); an LSOA21 wins over
-- an LSOA11 with the same code unless a kind is asked for.
SELECT id, kind, code, name, vintage, programme, population, population_basis,
       weight_basis, area_m2, properties
FROM area
WHERE code = :code AND (CAST(:kind AS text) IS NULL OR kind = :kind)
ORDER BY array_position(
    ARRAY['lsoa21','msoa21','ward','ltla','sicbl','icb','pcn','programme','custom','lsoa11'],
    kind::text)
LIMIT 1
