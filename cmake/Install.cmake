# cmake --install: the tools, the runtime library and its headers, the
# CMake package (find_package(aic), aic_add_model) and pkg-config files.
include(CMakePackageConfigHelpers)

install(TARGETS aic-compile aic-run aic-serve EXPORT aicTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS aic_runtime EXPORT aicTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# The host code aic-compile links into CUDA model libraries.
install(TARGETS aic_cuda_host ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY runtime/include/aic
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(AIC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/aic)
install(EXPORT aicTargets NAMESPACE aic:: DESTINATION ${AIC_CMAKE_DIR})
configure_package_config_file(cmake/aicConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/aicConfig.cmake
  INSTALL_DESTINATION ${AIC_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/aicConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/aicConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/aicConfigVersion.cmake
              cmake/AicAddModel.cmake
  DESTINATION ${AIC_CMAKE_DIR})

# pkg-config files find the prefix from where they are (${pcfiledir}), so
# cmake --install --prefix anywhere works.
file(RELATIVE_PATH AIC_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" AIC_PC_TO_PREFIX "${AIC_PC_TO_PREFIX}")
foreach(pc aic aic-model)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/cmake/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/cmake/${pc}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
