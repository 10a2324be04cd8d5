# Third-party dependencies, all from Debian 12 packages (see README "Quick start").

# POCO's DataPostgreSQL config links a target PostgreSQL::client that nothing defines
# (upstream poco#3036): define it before find_package(Poco).
find_package(PostgreSQL REQUIRED)
if(NOT TARGET PostgreSQL::client)
  add_library(PostgreSQL::client INTERFACE IMPORTED)
  target_link_libraries(PostgreSQL::client INTERFACE PostgreSQL::PostgreSQL)
endif()

find_package(Poco 1.11 REQUIRED COMPONENTS Foundation Util Net NetSSL Crypto XML JSON Data DataSQLite DataPostgreSQL)
# db_poll's MySQL connector, where POCO's DataMySQL and a client library are installed: its
# config links MySQL::client, which nothing defines either (same defect as above).
find_library(HUITONG_MYSQL_CLIENT NAMES mariadb mysqlclient)
if(HUITONG_MYSQL_CLIENT)
  if(NOT TARGET MySQL::client)
    add_library(MySQL::client INTERFACE IMPORTED)
    target_link_libraries(MySQL::client INTERFACE ${HUITONG_MYSQL_CLIENT})
  endif()
  find_package(Poco QUIET COMPONENTS DataMySQL)
endif()
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)

# RapidJSON ships only RAPIDJSON_INCLUDE_DIRS: wrap it, as SYSTEM (its headers warn under C++17).
find_package(RapidJSON REQUIRED)
add_library(huitong_rapidjson INTERFACE)
target_include_directories(huitong_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(huitong_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1 RAPIDJSON_SSE2=1)
add_library(huitong::rapidjson ALIAS huitong_rapidjson)

# PCRE2 (UTF-8, Unicode properties) backs I-Regexp (RFC 9485) and the mapping's regex transforms.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)

if(HUITONG_BUILD_TESTS)
  find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
endif()
