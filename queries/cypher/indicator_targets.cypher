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
// @embedded  _order is the loader's position of each MEASURES edge in this ORDER BY's order (0: no such
// document), _level the level of the target's document.
MATCH (g:Target)-[m:MEASURES]->(i:Indicator)
WHERE ($indicator = '' OR i.name = $indicator) AND g.year > 0 AND m._order > 0
RETURN i.name AS indicator, g.city AS city, g._level AS level, g.scope AS scope, g.source AS source,
       g.year AS year, g.value AS value, g.unit AS unit, g.line AS line, g.id AS target
ORDER BY m._order
