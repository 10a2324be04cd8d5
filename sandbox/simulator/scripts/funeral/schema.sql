-- The demo's front-end exchange table (前置机交换表) of the funeral system, as its interface
-- document v1.4 defines it: one row per stage, REC_FLAG set by the receiver only.
CREATE TABLE IF NOT EXISTS EX_CASE_STAGE (
    ID          INTEGER PRIMARY KEY,
    SBLSH       VARCHAR(64),
    SXBM        VARCHAR(64),
    SXMC        VARCHAR(200),
    STAGE_CODE  VARCHAR(4),
    STAGE_TIME  TEXT,
    SQRMC       VARCHAR(100),
    SQRZJLX     VARCHAR(2),
    SQRZJHM     VARCHAR(64),
    JG_CODE     VARCHAR(2),
    YJ          TEXT,
    SFJE_YUAN   REAL,
    CLQD        TEXT,
    BZJZRQ      TEXT,
    ZZMC        VARCHAR(100),
    ZZBH        VARCHAR(64),
    ZZYXQ       TEXT,
    VERSION     INTEGER DEFAULT 1 NOT NULL,
    REC_FLAG    INTEGER DEFAULT 0 NOT NULL
);
CREATE INDEX IF NOT EXISTS IX_EX_CASE_STAGE_REC ON EX_CASE_STAGE (REC_FLAG, ID);
