# SPDX-License-Identifier: MIT
# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE).  A Debian
# package must install under /usr; the plugin's directory and the path in the
# example config were fixed when the build was configured, so refuse to package
# a build configured for another prefix instead of shipping wrong paths.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "mosquitto-aps-ecu: this build was configured with CMAKE_INSTALL_PREFIX="
                      "${CPACK_PACKAGING_INSTALL_PREFIX}; a .deb needs a build configured with "
                      "-DCMAKE_INSTALL_PREFIX=/usr")
endif()
