# SPDX-License-Identifier: MIT
# aps_sanitize(target): build and link target with AddressSanitizer and UBSan,
# stopping at the first report, so CTest can run the same tests sanitized.
set(APS_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
function(aps_sanitize target)
  target_compile_options(${target} PRIVATE ${APS_SANITIZE_FLAGS})
  target_link_options(${target} PRIVATE ${APS_SANITIZE_FLAGS})
endfunction()
