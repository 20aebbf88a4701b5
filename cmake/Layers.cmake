# SPDX-License-Identifier: MIT
# How every library and unit test is declared: once, and built twice, plain
# and with AddressSanitizer + UBSan, so that no source list is written again
# for the sanitized run.
#
#   aps_library(name SOURCES ... [DEPS ...] [OPTIONS ...])
#     a static library `name`, its folder as public include directory, and
#     `name_asan`, the same sanitized (built only when something needs it).
#     A dependency named aps_* links its own _asan twin in the sanitized one.
#   aps_unit_test(name SOURCES ... [LIBS ...] [ARGS ...] [DEFINES ...]
#                 [INCLUDES ...] [PROPERTIES ...])
#     the programs test_<name> and test_<name>_asan, and the CTest tests
#     <name> and <name>_asan running them with ARGS (where @variant@ is ""
#     or "_asan").
#   aps_sanitize(target): build and link one target sanitized, stopping at
#     the first report.
set(APS_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
function(aps_sanitize target)
  target_compile_options(${target} PRIVATE ${APS_SANITIZE_FLAGS})
  target_link_options(${target} PRIVATE ${APS_SANITIZE_FLAGS})
endfunction()

# The libraries of `libs` for one variant ("" or "_asan").
function(aps_variant_libs out variant)
  set(result "")
  foreach(lib IN LISTS ARGN)
    if(lib MATCHES "^aps_")
      list(APPEND result ${lib}${variant})
    else()
      list(APPEND result ${lib})
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

function(aps_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;OPTIONS" ${ARGN})
  foreach(variant "" "_asan")
    set(t ${name}${variant})
    if(variant)
      add_library(${t} STATIC EXCLUDE_FROM_ALL ${A_SOURCES})
      aps_sanitize(${t})
    else()
      add_library(${t} STATIC ${A_SOURCES})
    endif()
    target_include_directories(${t} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
    aps_variant_libs(deps "${variant}" ${A_DEPS})
    target_link_libraries(${t} PUBLIC ${deps})
    target_compile_options(${t} PRIVATE ${A_OPTIONS})
  endforeach()
endfunction()

function(aps_unit_test name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS;ARGS;DEFINES;INCLUDES;PROPERTIES" ${ARGN})
  foreach(variant "" "_asan")
    set(t test_${name}${variant})
    add_executable(${t} ${A_SOURCES})
    # A unit test runs outside the broker: its topic checks are the local ones.
    aps_variant_libs(libs "${variant}" ${A_LIBS} aps_mqtt_check_local)
    target_link_libraries(${t} PRIVATE ${libs})
    target_include_directories(${t} PRIVATE ${A_INCLUDES})
    target_compile_definitions(${t} PRIVATE ${A_DEFINES})
    if(variant)
      aps_sanitize(${t})
    endif()
    # @variant@ in an argument becomes "" or "_asan": files of their own.
    string(REPLACE "@variant@" "${variant}" args "${A_ARGS}")
    add_test(NAME ${name}${variant} COMMAND ${t} ${args})
    set_tests_properties(${name}${variant} PROPERTIES TIMEOUT 60 ${A_PROPERTIES})
  endforeach()
endfunction()
