# `cmake --install` rules. Component `sdk`: the adapter SDK an out-of-tree plugin builds
# against (gateway/core's public headers, a CMake package and a pkg-config file;
# docs/adding-an-adapter.md, "As a plugin"). Component `runtime`: the `huitong` binary.
# The SDK ships no library: a plugin links nothing of Huitong and uses the symbols the
# binary exports (cmake/HuitongAdapterSdk.exports).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HUITONG_SDK_HEADERS Adapter.h AdapterPlugin.h Clock.h ConfigNode.h Error.h Json.h RawMessage.h)
list(TRANSFORM HUITONG_SDK_HEADERS PREPEND ${PROJECT_SOURCE_DIR}/gateway/core/)
# Installed under include/huitong so that plugins include them as the gateway does:
# #include "gateway/core/Adapter.h".
install(FILES ${HUITONG_SDK_HEADERS}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/huitong/gateway/core COMPONENT sdk)

set(HUITONG_SDK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/HuitongAdapterSdk)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sdk/HuitongAdapterSdkConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sdk/HuitongAdapterSdkConfig.cmake
  INSTALL_DESTINATION ${HUITONG_SDK_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# The SDK's version is the gateway's; the ABI a plugin must match is checked at load.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sdk/HuitongAdapterSdkConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/sdk/HuitongAdapterSdkConfig.cmake
              ${PROJECT_BINARY_DIR}/sdk/HuitongAdapterSdkConfigVersion.cmake
  DESTINATION ${HUITONG_SDK_CMAKE_DIR} COMPONENT sdk)

# The .pc file finds its prefix from where it lies, so `cmake --install --prefix` works.
file(RELATIVE_PATH HUITONG_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" HUITONG_PC_TO_PREFIX "${HUITONG_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/sdk/huitong-adapter-sdk.pc.in
  ${PROJECT_BINARY_DIR}/sdk/huitong-adapter-sdk.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sdk/huitong-adapter-sdk.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)

install(TARGETS huitong RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
