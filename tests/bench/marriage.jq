# The marriage mapping (mappings/marriage/mapping.json) and the case-event/1 checks a fair peer
# needs, written in jq 1.6: the peer run-map-bench.sh measures huitong_bench_map against.
# One message in, one line out: the case event, or {"rejected":[{field,code}...]} sorted by
# field and code (what `huitong_bench_map --emit` prints).
#   jq -c --arg received_at 2026-12-01T00:00:00+08:00 --arg latest 2026-12-01T00:05:00 \
#      -f marriage.jq messages.ndjson
# `latest` is clock.now() + 5 minutes in Beijing time: a later occurred_at is future_time.

def stages: {"SUBMITTED": "submit", "ACCEPTED": "accept", "REJECTED": "accept",
  "NEED_SUPPLEMENT": "supplement_notice", "SUPPLEMENTED": "supplement_accept",
  "APPROVED": "approve", "CERT_ISSUED": "complete"};
def id_types: {"身份证": "111", "临时身份证": "112", "户口簿": "113", "护照": "414",
  "港澳居民来往内地通行证": "516", "台湾居民来往大陆通行证": "511", "外国人永久居留身份证": "553"};
def channels: {"窗口": "window", "广东政务服务网": "pc", "粤省事": "wechat", "自助终端": "other",
  "其他": "other"};
def certificates: {"1244200045586317954442071001000": "结婚证",
  "1244200045586317954442071002000": "离婚证", "1244200045586317954442071003000": "结婚证"};
def decisions: {"ACCEPTED": "accepted", "REJECTED": "refused"};

# case-event/1 code tables (codes.json) the checks below need.
def stage_codes: {"submit": 1, "preaccept": 1, "accept": 1, "approve": 1, "supplement_notice": 1,
  "supplement_accept": 1, "special_request": 1, "special_result": 1, "complete": 1, "pickup": 1};
def id_type_codes: {"111": 1, "112": 1, "113": 1, "114": 1, "414": 1, "511": 1, "516": 1,
  "553": 1, "001": 1, "990": 1};
def channel_codes: {"pc": 1, "mobile_app": 1, "wap": 1, "wechat": 1, "alipay": 1, "window": 1,
  "other": 1};
def accept_decisions: {"accepted": 1, "not_accepted": 1, "supplement_required": 1, "refused": 1};

# Empty source values ("", null) count as absent.
def opt: if . == "" then null else . end;
def compact: del(.[] | nulls);
def compact_obj: compact | if . == {} then null else . end;

def leap: (. % 4 == 0 and . % 100 != 0) or . % 400 == 0;
def real_date($y; $m; $d):
  $m >= 1 and $m <= 12 and $d >= 1
  and $d <= (if $m == 2 then (if ($y | leap) then 29 else 28 end)
             elif $m == 4 or $m == 6 or $m == 9 or $m == 11 then 30 else 31 end);

# yyyy-MM-dd HH:mm:ss (Beijing time) as RFC 3339 with +08:00; false when not a real one.
def beijing_datetime:
  if type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$")
     and real_date(.[0:4] | tonumber; .[5:7] | tonumber; .[8:10] | tonumber)
     and (.[11:13] | tonumber) < 24 and (.[14:16] | tonumber) < 60
     and (.[17:19] | tonumber) < 60
  then .[0:10] + "T" + .[11:19] + "+08:00" else false end;
def calendar_date:
  if type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
     and real_date(.[0:4] | tonumber; .[5:7] | tonumber; .[8:10] | tonumber)
  then . else false end;

# GB 11643-1999: 18 characters, a real birth date, the right check character.
def resident_id_ok:
  test("^[0-9]{17}[0-9X]$")
  and real_date(.[6:10] | tonumber; .[10:12] | tonumber; .[12:14] | tonumber)
  and ((explode as $c
        | [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as $w
        | (reduce range(0; 17) as $i (0; . + ($c[$i] - 48) * $w[$i])) % 11
        | "10X98765432"[.:. + 1]) == .[17:18]);
def mainland_mobile: type == "string" and test("^1[3-9][0-9]{9}$");

# A source value through a code table: the code, null when absent, false when not in the table.
def code($table): if . == null or . == "" then null else ($table[.] // false) end;
def value: if . == false then null else . end;

def v($field; $code): {field: $field, code: $code};
# One violation at most per field, in the Validator's order (required, type, length/pattern/enum).
def text($field; $x; $lo; $hi; $required; $missing):
  if $x == null then (if $required then v($field; $missing) else empty end)
  elif ($x | type) != "string" then v($field; "type")
  elif ($x | length) < $lo or ($x | length) > $hi then v($field; "length")
  else empty end;
def member($field; $x; $codes; $required; $missing):
  if $x == null then (if $required then v($field; $missing) else empty end)
  elif ($x | type) != "string" then v($field; "type")
  elif $codes[$x] then empty
  else v($field; "enum") end;

# The case-event/1 rules this mapping can break (the gateway's constants are not re-checked).
def violations($latest):
  . as $e
  | ($e.detail // {}) as $d
  | [
      (if $e.case_no == null then v("case_no"; "required")
       elif ($e.case_no | type) != "string" then v("case_no"; "type")
       elif ($e.case_no | test("^[A-Za-z0-9-]{1,64}$") | not) then v("case_no"; "pattern")
       else empty end),
      member("stage"; $e.stage; stage_codes; true; "required"),
      (if $e.version == null then v("version"; "required")
       elif ($e.version | type) != "number" or ($e.version | floor) != $e.version
       then v("version"; "type")
       elif $e.version < 1 then v("version"; "pattern")
       else empty end),
      (if $e.occurred_at == null then v("occurred_at"; "required")
       elif $e.occurred_at[0:19] > $latest then v("occurred_at"; "future_time")
       else empty end),
      (if $e.item.code == null then v("item.code"; "required")
       elif ($e.item.code | type) != "string" then v("item.code"; "type")
       elif ($e.item.code | test("^[0-9A-Za-z]{1,64}$") | not) then v("item.code"; "pattern")
       else empty end),
      text("item.name"; $e.item.name; 1; 200; true; "required"),
      text("applicant.name"; $e.applicant.name; 1; 100; true; "required"),
      member("applicant.id_type"; $e.applicant.id_type; id_type_codes; true; "required"),
      (if $e.applicant.id_type == "001" then v("applicant.id_type"; "applicant_type_id")
       else empty end),
      (if $e.applicant.id_no == null then v("applicant.id_no"; "required")
       elif ($e.applicant.id_no | type) != "string" then v("applicant.id_no"; "type")
       elif ($e.applicant.id_no | length) > 64 then v("applicant.id_no"; "length")
       elif $e.applicant.id_type == "111" and ($e.applicant.id_no | resident_id_ok | not)
       then v("applicant.id_no"; "resident_id_checksum")
       else empty end),
      (if $e.applicant.mobile != null and ($e.applicant.mobile | mainland_mobile | not)
       then v("applicant.mobile"; "mobile") else empty end),
      (if $e.stage == "submit" then member("channel"; $e.channel; channel_codes; true; "required")
       elif $e.channel != null then v("channel"; "type") else empty end),
      text("handler.name"; $e.handler.name; 1; 50; false; ""),
      text("handler.staff_no"; $e.handler.staff_no; 1; 32; false; ""),
      (if $e.stage == "accept" then
         if $e.detail == null then v("detail"; "detail_required")
         else member("detail.decision"; $d.decision; accept_decisions; true; "detail_required"),
              text("detail.reason"; $d.reason; 1; 500;
                   ($d.decision | type) == "string" and $d.decision != "accepted"
                   and accept_decisions[$d.decision] != null;
                   "detail_required")
         end
       elif $e.stage == "supplement_notice" or $e.stage == "supplement_accept" then
         if $e.detail == null then v("detail"; "detail_required")
         else
           (if $d.materials == null then v("detail.materials"; "detail_required")
            elif ($d.materials | type) != "array" then v("detail.materials"; "type")
            elif ($d.materials | length) == 0 then v("detail.materials"; "length")
            else $d.materials | to_entries[]
                 | text("detail.materials[\(.key)]"; .value; 1; 200; true; "detail_required")
            end),
           (if $e.stage == "supplement_notice" then
              text("detail.reason"; $d.reason; 1; 500; true; "detail_required"),
              (if $d.deadline == null then v("detail.deadline"; "detail_required")
               else empty end)
            else empty end)
         end
       elif $e.stage == "approve" then
         if $e.detail == null then v("detail"; "detail_required")
         else (if $d.step == null then v("detail.step"; "detail_required") else empty end),
              (if $d.decision == null then v("detail.decision"; "detail_required") else empty end),
              text("detail.opinion"; $d.opinion; 0; 1000; false; "")
         end
       elif $e.stage == "complete" then
         if $e.detail == null then v("detail"; "detail_required")
         else text("detail.description"; $d.description; 1; 500; true; "detail_required"),
              (if $d.certificate == null then v("detail.certificate"; "detail_required")
               else text("detail.certificate.name"; $d.certificate.name; 1; 100; true;
                         "detail_required"),
                    text("detail.certificate.number"; $d.certificate.number; 1; 64; true;
                         "detail_required"),
                    text("detail.certificate.issuer"; $d.certificate.issuer; 1; 100; true;
                         "detail_required")
               end)
         end
       else empty end)
    ];

. as $m
| ($m.applicants[0] // {}) as $a
| ($m.status | code(stages)) as $stage
| (if $m.statusTime == null or $m.statusTime == "" then null
   else $m.statusTime | beijing_datetime end) as $at
| ($a.idCardType | code(id_types)) as $idType
| (if $stage == "submit" then $m.channel | code(channels) else null end) as $channel
| (if $stage == "supplement_notice" and $m.supplementDeadline != null
      and $m.supplementDeadline != ""
   then $m.supplementDeadline | calendar_date else null end) as $deadline
| ($m.certNo | opt) as $certNo
| (if $stage == "complete" and $certNo != null then $m.serviceCode | code(certificates)
   else null end) as $certName
| ($m.supplementList | if . == [] then null else . end) as $materials
# A source value a transform could not convert is reported on its field and left out.
| [ (if $stage == false then v("stage"; "enum") else empty end),
    (if $at == false then v("occurred_at"; "pattern") else empty end),
    (if $idType == false then v("applicant.id_type"; "enum") else empty end),
    (if $channel == false then v("channel"; "enum") else empty end),
    (if $deadline == false then v("detail.deadline"; "pattern") else empty end),
    (if $certName == false then v("detail.certificate.name"; "enum") else empty end) ] as $failed
| ($stage | value) as $stage
| ($m.bizNo | opt) as $caseNo
| {
    spec: "case-event/1",
    event_id: (if ($caseNo | type) == "string" and $stage != null
                  and ($m.version | type) == "number" and ($m.version | floor) == $m.version
               then "marriage:\($caseNo):\($stage):1:v\($m.version)" else null end),
    case_no: $caseNo,
    stage: $stage,
    seq: 1,
    version: $m.version,
    occurred_at: ($at | value),
    item: ({code: ($m.serviceCode | opt), name: ($m.serviceName | opt)} | compact_obj),
    department: {name: "中山市婚姻登记处", uscc: "124420004558631795", region_code: "442000"},
    applicant: ({type: "person", name: ($a.name | opt), id_type: ($idType | value),
                 id_no: ($a.idCardNo | opt),
                 mobile: ($a.mobile | if mainland_mobile then . else null end)} | compact),
    channel: ($channel | value),
    handler: ({name: ($m.operator.name | opt), staff_no: ($m.operator.jobNo | opt)}
              | compact_obj),
    detail: (if $stage == "accept" then
               {decision: decisions[$m.status], reason: ($m.remark | opt)}
             elif $stage == "supplement_notice" then
               {materials: $materials, reason: ($m.remark | opt), deadline: ($deadline | value)}
             elif $stage == "supplement_accept" then {materials: $materials}
             elif $stage == "approve" then
               {step: "approve", decision: "pass", opinion: ($m.remark | opt)}
             elif $stage == "complete" then
               {result: "certificate_issued", description: ($m.remark | opt),
                certificate: ({name: ($certName | value), number: $certNo,
                               issuer: (if $certNo != null then "中山市民政局" else null end)}
                              | compact_obj)}
             else null end
             | if . == null then null else compact_obj end),
    source: {system: "marriage", received_at: $received_at}
  }
| compact
| ($failed | map(.field)) as $failedFields
| ($failed + [violations($latest)[] | select(.field | IN($failedFields[]) | not)]) as $rejections
| if $rejections == [] then . else {rejected: ($rejections | sort_by(.field, .code))} end
