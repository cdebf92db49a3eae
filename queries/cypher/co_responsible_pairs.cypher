// Pairs of units named together on the same tasks, most shared tasks first: who works with whom most.
// unit_a_leads / unit_b_leads count the shared tasks each of the two leads.
// @param city STRING = ""  Only tasks of this city (福州 or 福州市); empty for all.
// @param min_shared INT64 = 1  Only pairs that share at least this many tasks.
// @param limit INT64 = 20  At most this many pairs.
MATCH (a:Agency)-[ra:RESPONSIBLE_FOR]->(t:Task)<-[rb:RESPONSIBLE_FOR]-(b:Agency)
WHERE a.id < b.id
  AND ($city = '' OR t.city IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
WITH a, b, count(DISTINCT t.id) AS shared,
     count(DISTINCT CASE WHEN ra.role = 'lead' THEN t.id END) AS unit_a_leads,
     count(DISTINCT CASE WHEN rb.role = 'lead' THEN t.id END) AS unit_b_leads
WHERE shared >= $min_shared
RETURN a.region AS city, a.name AS unit_a, b.name AS unit_b, shared, unit_a_leads, unit_b_leads
ORDER BY shared DESC, city, unit_a, unit_b
LIMIT $limit
// @embedded when city = ""  All cities: the loader's _CO_RESPONSIBLE pairs, _rank in this ORDER BY's order.
MATCH (a:Agency)-[c:_CO_RESPONSIBLE]->(b:Agency)
WHERE c.shared >= $min_shared AND c._rank <= $limit
RETURN a.region AS city, a.name AS unit_a, b.name AS unit_b, c.shared AS shared,
       c.a_leads AS unit_a_leads, c.b_leads AS unit_b_leads
ORDER BY c._rank
LIMIT $limit
