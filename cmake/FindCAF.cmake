# Finds Debian's CAF 0.17 (it ships no CMake package). Defines CAF::core, CAF::io
# and CAF::openssl with the same names as CAF 0.18+'s own package config.
include(FindPackageHandleStandardArgs)
find_package(Threads REQUIRED)
find_path(CAF_INCLUDE_DIR caf/all.hpp)
if(CAF_INCLUDE_DIR)
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_version_line
       REGEX "^#define CAF_VERSION [0-9]+")
  string(REGEX REPLACE "^#define CAF_VERSION ([0-9]+).*" "\\1" _caf_v "${_caf_version_line}")
  math(EXPR _caf_major "${_caf_v} / 10000")
  math(EXPR _caf_minor "(${_caf_v} / 100) % 100")
  math(EXPR _caf_patch "${_caf_v} % 100")
  set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
endif()
set(_caf_deps_core Threads::Threads)
set(_caf_deps_io CAF::core)
set(_caf_deps_openssl CAF::io OpenSSL::SSL)
foreach(_c core io openssl)
  if(NOT (_c STREQUAL "core" OR _c IN_LIST CAF_FIND_COMPONENTS
          OR (_c STREQUAL "io" AND "openssl" IN_LIST CAF_FIND_COMPONENTS)))
    continue()
  endif()
  find_library(CAF_${_c}_LIBRARY caf_${_c})
  if(CAF_${_c}_LIBRARY AND CAF_INCLUDE_DIR)
    set(CAF_${_c}_FOUND TRUE)
    if(NOT TARGET CAF::${_c})
      if(_c STREQUAL "openssl")
        find_package(OpenSSL REQUIRED)
      endif()
      add_library(CAF::${_c} SHARED IMPORTED)
      set_target_properties(CAF::${_c} PROPERTIES
        IMPORTED_LOCATION "${CAF_${_c}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "${_caf_deps_${_c}}")
    endif()
  endif()
endforeach()
find_package_handle_standard_args(CAF
  REQUIRED_VARS CAF_INCLUDE_DIR VERSION_VAR CAF_VERSION HANDLE_COMPONENTS)
mark_as_advanced(CAF_INCLUDE_DIR)
