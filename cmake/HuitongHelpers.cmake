# Compile options shared by every Huitong target, and the one helper that declares a test.

function(huitong_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(HUITONG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(HUITONG_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# huitong_add_library(NAME <short> SOURCES ... DEPS ... [PRIVATE_DEPS ...])
# defines huitong_<short> with alias huitong::<short>; public headers are included as
# "gateway/<area>/X.h" from the repository root.
function(huitong_add_library)
  cmake_parse_arguments(L "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(huitong_${L_NAME} STATIC ${L_SOURCES})
  add_library(huitong::${L_NAME} ALIAS huitong_${L_NAME})
  target_include_directories(huitong_${L_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(huitong_${L_NAME} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  huitong_target_options(huitong_${L_NAME})
endfunction()

# huitong_add_test(NAME <name> SOURCES ... DEPS ... LABELS unit|integration|postgres|browser)
# One Boost.Test executable registered with CTest; the test runs from the repository root so
# that ../shared/... and mappings/... resolve as documented.
function(huitong_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} Boost::unit_test_framework)
  target_compile_definitions(${T_NAME} PRIVATE BOOST_TEST_DYN_LINK
    HUITONG_SOURCE_DIR="${PROJECT_SOURCE_DIR}" HUITONG_BINARY_DIR="${PROJECT_BINARY_DIR}")
  huitong_target_options(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} --color_output=false --report_level=short
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()
