# aic_add_model(<target> MODEL <model.onnx> [NAME <prefix>]
#               [TARGET cpu|cuda] [OPTIONS <aic-compile options>...])
#
# Compiles the ONNX model at build time with aic-compile into a static model
# library and its C header (<prefix>.h, on <target>'s include path), and
# links it into <target>. The model is compiled again when the file or
# aic-compile changes. NAME, a C identifier, prefixes the model's entry
# points (<prefix>_run_typed, ...; default: the model file's name made an
# identifier), so several models link into one program. OPTIONS go to
# aic-compile as they are (-O3, --cpu=x86-64-v3, --shape x=1x3x224x224).
# The header and library are in ${CMAKE_CURRENT_BINARY_DIR}/aic_models/<prefix>/.
function(aic_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;NAME;TARGET" "OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "aic_add_model: unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "aic_add_model: ${target} is not a target")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "aic_add_model(${target}): MODEL <file.onnx> is required")
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET cpu)
  endif()
  if(ARG_TARGET STREQUAL "cuda")
    message(FATAL_ERROR "aic_add_model(${target}): TARGET cuda: CUDA models "
      "are shared libraries so far (aic-compile --target=cuda -o model.so, "
      "loaded with aic/runtime.h), not the static libraries aic_add_model "
      "links")
  elseif(NOT ARG_TARGET STREQUAL "cpu")
    message(FATAL_ERROR "aic_add_model(${target}): TARGET ${ARG_TARGET}: "
      "expected cpu or cuda")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT ARG_NAME)
    get_filename_component(ARG_NAME "${model}" NAME_WE)
    string(MAKE_C_IDENTIFIER "${ARG_NAME}" ARG_NAME)
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/aic_models/${ARG_NAME}")
  set(library "${dir}/lib${ARG_NAME}.a")
  set(header "${dir}/${ARG_NAME}.h")
  add_custom_command(
    OUTPUT "${library}" "${header}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
    COMMAND aic::aic-compile "${model}" --emit=static -o "${library}"
            --name "${ARG_NAME}" --emit-header "${header}" --quiet
            ${ARG_OPTIONS}
    DEPENDS "${model}" aic::aic-compile
    COMMENT "Compiling the ONNX model ${ARG_MODEL} with aic (${ARG_NAME})"
    VERBATIM)
  # The header is a source of the target, so the model is compiled before
  # the target's sources; the library is a link dependency.
  target_sources(${target} PRIVATE "${header}")
  target_include_directories(${target} PRIVATE "${dir}")
  target_link_libraries(${target} PRIVATE "${library}" aic::model)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${library}")
endfunction()
