SELECT j.lsoa_id, j.neighbour_id
FROM lsoa_adjacency j
WHERE j.lsoa_id = ANY(:ids) AND j.neighbour_id = ANY(:ids) AND j.lsoa_id < j.neighbour_id
