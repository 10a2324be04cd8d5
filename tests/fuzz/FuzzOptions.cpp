// Sanitizer defaults linked into every fuzz target, so that a crash file reproduces with the
// bare command line: UBSan stops at the first report (a finding) except for the third-party
// defects listed in ubsan.supp.
extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" HUITONG_SOURCE_DIR
         "/tests/fuzz/ubsan.supp";
}
