// The units a unit shares tasks with, most shared tasks first, and how many of those tasks each side leads.
// The unit is found as in unit_duties: exact agency name first, else a name as printed in a plan.
// @param unit STRING  Agency name (泉州市数字办) or a name as printed in a plan (市数字办).
// @param city STRING = ""  Only units of this city (泉州 or 泉州市); empty for all.
OPTIONAL MATCH (exact:Agency)
WHERE exact.name = $unit
  AND ($city = '' OR exact.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
WITH count(exact) AS exact_matches
MATCH (a:Agency)
WHERE (a.name = $unit OR (exact_matches = 0 AND $unit IN coalesce(a.aliases, [])))
  AND ($city = '' OR a.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
// Find the unit first, then its partners (see unit_duties.cypher: a ladybug 0.22 filter bug).
WITH a
MATCH (a)-[ra:RESPONSIBLE_FOR]->(t:Task)<-[rb:RESPONSIBLE_FOR]-(b:Agency)
WHERE b.id <> a.id
WITH a, b, count(DISTINCT t.id) AS shared,
     count(DISTINCT CASE WHEN ra.role = 'lead' THEN t.id END) AS unit_leads,
     count(DISTINCT CASE WHEN rb.role = 'lead' THEN t.id END) AS partner_leads
RETURN a.name AS unit, b.name AS partner, b.region AS city, b.kind AS kind, shared, unit_leads, partner_leads
ORDER BY unit, shared DESC, partner_leads DESC, partner
