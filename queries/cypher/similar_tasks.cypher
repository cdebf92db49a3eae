// Tasks of two different plans that read alike, most similar first.
// Similar means character-bigram TF-IDF cosine at or above the threshold in graph_build/similarity.py.
// @param city STRING = ""  Only pairs with a task of this city (福州 or 福州市); empty for all.
// @param min_score DOUBLE = 0.0  Only pairs scoring at least this.
// @param limit INT64 = 50  At most this many pairs.
MATCH (a:Task)-[s:SIMILAR_TO]->(b:Task)
WHERE s.score >= $min_score
  AND ($city = '' OR a.city IN [$city, $city + '市', $city + '省'] OR b.city IN [$city, $city + '市', $city + '省'])
RETURN a.city AS city_a, a.number AS number_a, a.title AS title_a, b.city AS city_b, b.number AS number_b,
       b.title AS title_b, s.score AS score, a.id AS task_a, b.id AS task_b
ORDER BY score DESC, task_a, task_b
LIMIT $limit
// @embedded  _rank is the loader's position of each pair in this ORDER BY's order. All cities: the first
// $limit ranks (pairs scoring at least min_score come first). One city: its tasks' pairs, matched from
// the city side in both directions (the pattern with an OR on both ends scans every pair); a pair
// whose ends are both in the city is kept from its source end (ladybug's stored source: _src).
MATCH (x:Task)-[s:SIMILAR_TO]-(y:Task)
WHERE s.score >= $min_score
  AND ($city = '' OR x.city IN [$city, $city + '市', $city + '省'])
  AND ($city <> '' OR s._rank <= $limit)
WITH x, y, s, struct_extract(s, '_src') = id(x) AS forward
WHERE forward OR NOT ($city = '' OR y.city IN [$city, $city + '市', $city + '省'])
RETURN CASE WHEN forward THEN x.city ELSE y.city END AS city_a,
       CASE WHEN forward THEN x.number ELSE y.number END AS number_a,
       CASE WHEN forward THEN x.title ELSE y.title END AS title_a,
       CASE WHEN forward THEN y.city ELSE x.city END AS city_b,
       CASE WHEN forward THEN y.number ELSE x.number END AS number_b,
       CASE WHEN forward THEN y.title ELSE x.title END AS title_b,
       s.score AS score,
       CASE WHEN forward THEN x.id ELSE y.id END AS task_a,
       CASE WHEN forward THEN y.id ELSE x.id END AS task_b
ORDER BY s._rank
LIMIT $limit
