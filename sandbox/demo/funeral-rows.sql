-- The demo's first rows in the funeral front-end table (the project's own case data, in the
-- department's real format): .ci/demo.sh loads them once into var/demo/funeral-frontend.db,
-- after sandbox/simulator/scripts/funeral/schema.sql; the gateway takes them through db_poll.
-- BZ2026112000101 惠民殡葬补贴申领: 申办, 受理, 办结 with the subsidy paid
INSERT OR IGNORE INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, CLQD)
VALUES (1, 'BZ2026112000101', '1244200045586402424442094003000', '惠民殡葬补贴申领', 'SB', '2026-11-20 09:15:02', '欧阳秀兰', '1', '442000195803120521', '火化证明|申请人居民身份证|户口簿');
INSERT OR IGNORE INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, JG_CODE, YJ)
VALUES (2, 'BZ2026112000101', '1244200045586402424442094003000', '惠民殡葬补贴申领', 'SL', '2026-11-20 10:02:47', '欧阳秀兰', '1', '442000195803120521', '1', '材料齐全，予以受理');
INSERT OR IGNORE INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, JG_CODE, YJ, SFJE_YUAN)
VALUES (3, 'BZ2026112000101', '1244200045586402424442094003000', '惠民殡葬补贴申领', 'BJ', '2026-11-24 16:40:10', '欧阳秀兰', '1', '442000195803120521', '6', '补贴已发放至申请人账户', 1200);
-- BZ2026112100007 骨灰寄存服务: 补正告知
INSERT OR IGNORE INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, YJ, CLQD, BZJZRQ)
VALUES (4, 'BZ2026112100007', '1244200045586402424442204001000', '骨灰寄存服务', 'BZGZ', '2026-11-21 14:05:33', '黎志成', '1', '44200019720905062X', '缺少亲属关系证明，请于期限内补交', '亲属关系证明', '2026-12-05');
