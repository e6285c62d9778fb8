-- England's value of every series and year (computed by the load).
SELECT series, year, value, numerator, denominator FROM series_england ORDER BY series, year
