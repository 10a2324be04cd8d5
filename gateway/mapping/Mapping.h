// The mapping engine: a department's declarative mapping file (docs/mapping-language.md),
// compiled once into an immutable Mapping, turns one department message into case events,
// each judged on its own against the spec, optionally with a field-by-field trace.
//
// Start here: Mapping::load() compiles a file (errors name file:line:column);
// Mapping::run() maps one message. A Mapping is shared (shared_ptr<const Mapping>) and
// run from any number of threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"

namespace huitong::mapping {

// One broken rule of one event: `field` is the canonical dotted path, `code` a spec §3 code,
// `sourcePath` the normalized JSONPath of the value in the department's message (or the
// selector when nothing was found there), `sourceLine` the line in a CSV file (0 = n/a).
struct Rejection {
  std::string field;
  std::string code;
  std::string message;
  std::string sourcePath;
  std::size_t sourceLine = 0;
};

// One transform's output while mapping a field (trace).
struct TraceStep {
  std::string transform;  // "datetime", "code", ...
  std::string output;     // JSON text of the value after the step ("null" when absent)
};

// The fate of one target field (trace): where its value came from and what became of it.
struct FieldTrace {
  std::string field;
  std::string source;                    // "from $.x", "const", "template ...", "code table status"
  std::vector<std::string> sourcePaths;  // normalized paths of the values found
  std::string found;  // JSON text of what the selector found ("null" when nothing)
  std::vector<TraceStep> steps;
  std::string value;  // JSON text of the final value ("null" when absent)
  std::string note;   // e.g. "skipped: when ... was false"
};

// One event produced from one record of the message.
struct MappedEvent {
  // The event's own memory in small chunks: a 100,000-row file makes 100,000 events, and
  // RapidJSON's default first chunk of 64 KiB each would cost gigabytes.
  std::unique_ptr<rapidjson::MemoryPoolAllocator<>> memory =
      std::make_unique<rapidjson::MemoryPoolAllocator<>>(1024);
  rapidjson::Document event{memory.get()};  // the case event (object); may be partial
  std::vector<Rejection> rejections;
  std::size_t record = 0;         // index of the record in the message (fan-out order)
  std::string recordPath;         // normalized path of the record in the message
  std::vector<FieldTrace> trace;  // filled when RunOptions::trace
  bool valid() const { return rejections.empty(); }
};

// What a message became: valid events ordered by occurred_at (ties in source order), and
// the rejected ones in source order. The message as a whole is rejected when no event is
// valid (and at least one was produced).
struct MappingOutput {
  std::vector<MappedEvent> events;
  std::vector<MappedEvent> rejected;
};

struct RunOptions {
  std::string receivedAt;  // source.received_at (RFC 3339); the clock's now when empty
  // The charset the transport declared (HTTP charset parameter, a file adapter's encoding):
  // it overrides the mapping's input.charset and an XML declaration (RFC 7303). "" = none.
  std::string charset;
  bool trace = false;
};

class CompiledMapping;

class Mapping {
 public:
  // Compiles the mapping file at `path` (tables and test inputs it names are read relative to
  // its folder). Error.path is "file:line:column".
  static Result<std::shared_ptr<const Mapping>> load(const std::string& path);
  // Compiles mapping text; `fileName` and `baseDir` are for messages and relative files.
  static Result<std::shared_ptr<const Mapping>> compile(std::string_view text,
                                                        const std::string& fileName,
                                                        const std::string& baseDir);

  const std::string& system() const;
  const std::string& version() const;
  const std::string& inputFormat() const;  // json | xml | csv | rows
  const std::string& fileName() const;

  // Decodes a message in the mapping's input format and maps it. A message that cannot be
  // decoded at all (malformed XML, CSV trailer mismatch, bad encoding) is an Error.
  Result<MappingOutput> run(std::string_view bytes, const Clock& clock,
                            const RunOptions& options = {}) const;
  // Maps an already decoded tree (database rows: an array of row objects). For the csv
  // format `lines` gives each row's line in the file (may be empty).
  MappingOutput runTree(const rapidjson::Value& tree, const Clock& clock,
                        const RunOptions& options = {},
                        const std::vector<std::size_t>& lines = {}) const;

  // The embedded test cases ("tests" in the file).
  struct TestResult {
    std::string name;
    bool passed = false;
    std::vector<std::string> failures;  // what differed, one sentence each
  };
  std::vector<TestResult> runEmbeddedTests(const Clock& clock) const;

  explicit Mapping(std::unique_ptr<CompiledMapping> impl);
  ~Mapping();

 private:
  Result<MappingOutput> nonEmpty(MappingOutput out) const;

  std::unique_ptr<CompiledMapping> impl_;
};

// Loads every mapping under `dir` (one folder per system, each with mapping.json).
Result<std::vector<std::shared_ptr<const Mapping>>> loadAll(const std::string& dir);

// JSON output helpers for the CLI and the HTTP API.
rapidjson::Value rejectionToJson(const Rejection& r, rapidjson::Document::AllocatorType& a);
rapidjson::Value traceToJson(const std::vector<FieldTrace>& trace,
                             rapidjson::Document::AllocatorType& a);

}  // namespace huitong::mapping
