-- A small places.sqlite: the tables and columns pkm reads, as Firefox lays them out.
CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
  rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,
  typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,
  last_visit_date INTEGER, guid TEXT, url_hash INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER DEFAULT NULL,
  parent INTEGER, position INTEGER, title LONGVARCHAR, keyword_id INTEGER,
  folder_type TEXT, dateAdded INTEGER, lastModified INTEGER, guid TEXT,
  syncStatus INTEGER NOT NULL DEFAULT 0, syncChangeCounter INTEGER NOT NULL DEFAULT 1);

INSERT INTO moz_places (id, url, title, guid) VALUES
  (1, 'https://www.mozilla.org/firefox/', 'Firefox', 'p00000000001'),
  (2, 'https://developer.mozilla.org/en-US/docs/Web/HTTP', 'HTTP | MDN', 'p00000000002'),
  (3, 'place:parent=toolbar_____&sort=12', NULL, 'p00000000003'),
  (4, 'https://sqlite.org/wal.html', 'Write-Ahead Logging', 'p00000000004');

INSERT INTO moz_bookmarks (id, type, fk, parent, position, title, dateAdded, lastModified, guid) VALUES
  (1, 2, NULL, 0, 0, '', 1577836800000000, 1577836800000000, 'root________'),
  (2, 2, NULL, 1, 0, 'menu', 1577836800000000, 1577836800000000, 'menu________'),
  (3, 2, NULL, 1, 1, 'toolbar', 1577836800000000, 1577836800000000, 'toolbar_____'),
  (4, 2, NULL, 1, 2, 'tags', 1577836800000000, 1577836800000000, 'tags________'),
  (5, 2, NULL, 1, 3, 'unfiled', 1577836800000000, 1577836800000000, 'unfiled_____'),
  (6, 2, NULL, 1, 4, 'mobile', 1577836800000000, 1577836800000000, 'mobile______'),
  -- a folder in the menu, and in it a bookmark whose own title differs from the page's
  (10, 2, NULL, 2, 0, 'Web dev', 1577934245000000, 1577934245000000, 'f00000000010'),
  (11, 1, 2, 10, 0, 'MDN: HTTP', 1577934245000000, 1623053350000000, 'b00000000011'),
  -- on the toolbar: a bookmark with no title of its own, and a smart folder (place:)
  (12, 1, 1, 3, 0, NULL, 1623053350000000, 1623053350000000, 'b00000000012'),
  (13, 1, 3, 3, 1, 'Most visited', 1623053350000000, 1623053350000000, 'b00000000013'),
  (14, 3, NULL, 3, 2, NULL, 1623053350000000, 1623053350000000, 's00000000014'),
  -- tags: a folder per tag under tags________, a row per tagged page
  (20, 2, NULL, 4, 0, 'http', 1577934245000000, 1577934245000000, 't00000000020'),
  (21, 1, 2, 20, 0, NULL, 1577934245000000, 1577934245000000, 't00000000021'),
  (22, 2, NULL, 4, 1, 'browsers', 1577934245000000, 1577934245000000, 't00000000022'),
  (23, 1, 1, 22, 0, NULL, 1577934245000000, 1577934245000000, 't00000000023'),
  (24, 1, 2, 22, 1, NULL, 1577934245000000, 1577934245000000, 't00000000024');
