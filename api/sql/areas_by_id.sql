SELECT id, kind, code, name, programme, area_m2, population, weight_basis
FROM area WHERE id = ANY(:ids)
