# SPDX-License-Identifier: MIT
# Mosquitto 2.1.2 for the tests: its broker and its headers, built from
# Debian's source package in ../shared/upstream (the release inside the
# official eclipse-mosquitto:2 image).  The tarball is checked against the
# .dsc's SHA-256 before use, unpacked at configure time and built once into
# the build tree (broker only).  Without websockets on purpose: such a broker
# runs a plugin's tick only when asked, the strict case (builds with
# websockets wake every 100 ms like 2.0).
#
# Sets APS_MOSQUITTO21_FOUND, APS_MOSQUITTO21_BIN (the broker, built by the
# target mosquitto_2_1_2), APS_MOSQUITTO21_INCLUDE_DIR and
# APS_MOSQUITTO21_LINKER_SYMS (what its Makefile build exports to plugins).
set(APS_MOSQUITTO21_DIR ${PROJECT_SOURCE_DIR}/../shared/upstream/mosquitto-2.1.2
    CACHE PATH "Debian's source package of Mosquitto 2.1.2 (.dsc and .orig.tar.gz)")
set(APS_MOSQUITTO21_FOUND FALSE)
set(_dsc ${APS_MOSQUITTO21_DIR}/mosquitto_2.1.2-3.dsc)
set(_tarball ${APS_MOSQUITTO21_DIR}/mosquitto_2.1.2.orig.tar.gz)
if(NOT EXISTS ${_dsc} OR NOT EXISTS ${_tarball})
  message(STATUS "Mosquitto 2.1.2 tests skipped: no source package in ${APS_MOSQUITTO21_DIR}")
  return()
endif()

file(STRINGS ${_dsc} _lines REGEX "^ [0-9a-f]+ [0-9]+ mosquitto_2\\.1\\.2\\.orig\\.tar\\.gz$")
set(_want "")
foreach(_line IN LISTS _lines)
  if(_line MATCHES "^ ([0-9a-f]+) ")
    string(LENGTH "${CMAKE_MATCH_1}" _len)
    if(_len EQUAL 64)
      set(_want ${CMAKE_MATCH_1})
    endif()
  endif()
endforeach()
file(SHA256 ${_tarball} _have)
if(NOT _want OR NOT _have STREQUAL _want)
  message(FATAL_ERROR "${_tarball}: SHA-256 ${_have}, but ${_dsc} says '${_want}'")
endif()

set(_root ${CMAKE_BINARY_DIR}/mosquitto-2.1.2)
if(NOT EXISTS ${_root}/${_want}.stamp)
  file(REMOVE_RECURSE ${_root}/src)
  file(ARCHIVE_EXTRACT INPUT ${_tarball} DESTINATION ${_root}/src)
  file(WRITE ${_root}/${_want}.stamp "")
endif()
file(GLOB _top LIST_DIRECTORIES true ${_root}/src/*)
if(NOT EXISTS ${_top}/src/linker.syms OR NOT EXISTS ${_top}/include/mosquitto/broker.h)
  message(FATAL_ERROR "${_tarball} did not unpack to a Mosquitto 2.1 source tree (${_top})")
endif()

include(ExternalProject)
ExternalProject_Add(mosquitto_2_1_2
  SOURCE_DIR ${_top}
  BINARY_DIR ${_root}/build
  CMAKE_ARGS -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWITH_CLIENTS=OFF -DWITH_APPS=OFF -DWITH_PLUGINS=OFF
             -DWITH_DOCS=OFF -DWITH_TESTS=OFF -DWITH_WEBSOCKETS=OFF -DWITH_CTRL_SHELL=OFF -DWITH_LTO=OFF
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${_root}/build/src/mosquitto
  LOG_CONFIGURE ON LOG_BUILD ON LOG_OUTPUT_ON_FAILURE ON)

set(APS_MOSQUITTO21_FOUND TRUE)
set(APS_MOSQUITTO21_BIN ${_root}/build/src/mosquitto)
set(APS_MOSQUITTO21_INCLUDE_DIR ${_top}/include)
set(APS_MOSQUITTO21_LINKER_SYMS ${_top}/src/linker.syms)
