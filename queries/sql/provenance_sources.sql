-- The sources the loaders recorded in the indicator catalogue, with their vintages.
SELECT source, vintage, geography, count(*) AS indicators
FROM indicator
GROUP BY source, vintage, geography
ORDER BY source, vintage, geography
