// Every stated value of a normalised indicator: baselines, yearly targets and quoted province targets.
// Scope is baseline / self / province (the province's target quoted in a city table); source is task / goal / table.
// @param indicator STRING = ""  Only this indicator (每万人拥有5G基站数); empty for all.
MATCH (g:Target)-[:MEASURES]->(i:Indicator)
WHERE ($indicator = '' OR i.name = $indicator) AND g.year > 0
WITH g, i
MATCH (d:Document)
WHERE d.id = g.doc
RETURN i.name AS indicator, g.city AS city, d.level AS level, g.scope AS scope, g.source AS source,
       g.year AS year, g.value AS value, g.unit AS unit, g.line AS line, g.id AS target
ORDER BY indicator, city, year, scope, source, target
