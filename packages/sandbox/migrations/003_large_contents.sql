-- Sandbox schema, version 3: on the embedded database, a content over 1 MiB of JSON is kept in a
-- file of the database folder (src/large-contents.ts); its row names the file, and `content`
-- holds only a summary (the short top-level primitives that SQL filters read).
ALTER TABLE resources ADD COLUMN content_file text;
