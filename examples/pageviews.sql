-- A small pipeline on the embedded log: clean up raw page views, keep the slow ones,
-- re-key them by page, and print the result.
-- Run it with:  npx sluice run examples/pageviews.sql --until-idle

SET 'auto.offset.reset' = 'earliest';

CREATE STREAM pageviews (
  view_id BIGINT KEY,
  user_id STRING,
  page STRING,
  load_ms INT,
  viewed_at STRING
) WITH (KAFKA_TOPIC = 'pageviews', PARTITIONS = 2, VALUE_FORMAT = 'JSON',
        TIMESTAMP = 'viewed_at', TIMESTAMP_FORMAT = 'yyyy-MM-dd HH:mm:ss');

-- Enrich and filter: only views slower than 300 ms, with the page name normalised.
CREATE STREAM slow_views AS
  SELECT view_id,
         LCASE(TRIM(page)) AS page,
         user_id,
         load_ms,
         CASE WHEN load_ms >= 1000 THEN 'very slow' ELSE 'slow' END AS category
  FROM pageviews
  WHERE load_ms > 300
  EMIT CHANGES;

-- Re-key by page, so every view of a page lands in the same partition.
CREATE STREAM slow_views_by_page
  WITH (KAFKA_TOPIC = 'slow_views_by_page', VALUE_FORMAT = 'DELIMITED') AS
  SELECT page, view_id, user_id, load_ms, category
  FROM slow_views
  PARTITION BY page
  EMIT CHANGES;

INSERT INTO pageviews (view_id, user_id, page, load_ms, viewed_at) VALUES (1, 'alice', ' /Home ', 120, '2026-11-01 10:00:00');
INSERT INTO pageviews (view_id, user_id, page, load_ms, viewed_at) VALUES (2, 'bob', '/Checkout', 1450, '2026-11-01 10:00:03');
INSERT INTO pageviews (view_id, user_id, page, load_ms, viewed_at) VALUES (3, 'carol', '/search ', 420, '2026-11-01 10:00:07');
INSERT INTO pageviews (view_id, user_id, page, load_ms, viewed_at) VALUES (4, 'alice', '/checkout', 380, '2026-11-01 10:00:09');
INSERT INTO pageviews (view_id, user_id, page, load_ms, viewed_at) VALUES (5, 'dave', '/home', 90, '2026-11-01 10:00:12');

PRINT 'slow_views_by_page' FROM BEGINNING LIMIT 10;
