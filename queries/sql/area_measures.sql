-- The stored measures of an area for some domains, with how many areas share its kind.
SELECT m.*, (SELECT count(*) FROM area r WHERE r.kind = :kind) AS of_kind
FROM area_measure m WHERE m.area_id = :id AND m.domain = ANY(:domains)
