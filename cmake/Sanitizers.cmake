# Sanitizer and fuzzing builds (CMakePresets.json: asan-ubsan, tsan;
# scripts/sanitize.sh runs them). Every target of the build is
# instrumented; model libraries that aic-compile makes are not (they are
# generated code), but they run inside instrumented tools.
set(AIC_SANITIZE "" CACHE STRING
  "Sanitizers to build with, as -fsanitize= takes them: address,undefined or thread (empty: none)")
option(AIC_FUZZ "Build the libFuzzer targets of test/fuzz (needs clang)" OFF)

if(AIC_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "AIC_SANITIZE needs clang (the asan-ubsan and tsan "
                        "presets use Debian's clang-22)")
  endif()
  set(AIC_SANITIZE_FLAGS -fsanitize=${AIC_SANITIZE} -fno-omit-frame-pointer)
  if(AIC_SANITIZE MATCHES "undefined")
    # Undefined behaviour fails the run. LLVM and MLIR are built without
    # RTTI, which the vptr check needs.
    list(APPEND AIC_SANITIZE_FLAGS -fno-sanitize-recover=undefined
         -fno-sanitize=vptr)
  endif()
  add_compile_options(${AIC_SANITIZE_FLAGS})
  # The shared sanitizer runtime, so that Python (test/python), which is
  # not instrumented, can preload the same runtime the tools it starts use.
  execute_process(
    COMMAND ${CMAKE_CXX_COMPILER} -fsanitize=${AIC_SANITIZE}
            -print-runtime-dir
    OUTPUT_VARIABLE AIC_SANITIZER_RUNTIME_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
  add_link_options(-fsanitize=${AIC_SANITIZE} -shared-libsan
                   -Wl,-rpath,${AIC_SANITIZER_RUNTIME_DIR})
  if(AIC_SANITIZE MATCHES "address")
    set(AIC_SANITIZER_RUNTIME
        ${AIC_SANITIZER_RUNTIME_DIR}/libclang_rt.asan-x86_64.so)
  elseif(AIC_SANITIZE MATCHES "thread")
    set(AIC_SANITIZER_RUNTIME
        ${AIC_SANITIZER_RUNTIME_DIR}/libclang_rt.tsan-x86_64.so)
  endif()
  message(STATUS "Sanitizers: ${AIC_SANITIZE} (${AIC_SANITIZER_RUNTIME})")
endif()

if(AIC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "AIC_FUZZ needs clang's libFuzzer")
  endif()
  # Coverage for libFuzzer in everything the targets link; the targets
  # themselves link libFuzzer's main (test/fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
