-- Every pair of touching LSOA21s (queen contiguity), once.
SELECT lsoa_id, neighbour_id FROM lsoa_adjacency WHERE lsoa_id < neighbour_id
ORDER BY lsoa_id, neighbour_id
