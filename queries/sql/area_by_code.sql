-- One area by its code (GSS code or programme/custom id). GSS codes and programme ids
-- match whatever their case (e54000008 is E54000008; the upper(code) index finds them);
-- custom area ids only exactly (they are secrets). The exact spelling wins, then an LSOA21
-- over an LSOA11 with the same code, unless a kind is asked for.
SELECT id, kind, code, name, vintage, programme, population, population_basis,
       weight_basis, area_m2, properties
FROM area
WHERE upper(code) = upper(:code) AND (kind <> 'custom' OR code = :code)
  AND (CAST(:kind AS text) IS NULL OR kind = :kind)
ORDER BY code = :code DESC,
         array_position(
           ARRAY['lsoa21','msoa21','ward','ltla','sicbl','icb','pcn','programme','custom','lsoa11'],
           kind::text),
         code
LIMIT 1
