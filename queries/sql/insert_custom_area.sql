INSERT INTO area (kind, code, name, vintage, population, population_basis, weight_basis,
                  area_m2, geom, properties)
VALUES ('custom', :code, :name, 'drawn', 0, 'census2021_residents', 'area',
        ST_Area(ST_GeomFromEWKB(:wkb)), ST_GeomFromEWKB(:wkb), CAST(:props AS jsonb))
RETURNING id
