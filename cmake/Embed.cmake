# cadastre_embed(<target> NAMESPACE <ns> FUNCTION <fn> FILES <file>...
#                [NAMES <name>...] [DEPENDS <extra dependency>...])
#
# Builds a static library <target> whose header <target>.h declares
#   std::vector<cadastre::EmbeddedFile> <ns>::<fn>();
# returning each file's name and content, in the order given. The name is the
# file's base name, or the NAMES entry at the same position when NAMES is
# given (the web UI keeps its relative paths: "pages/search.js"). Used for
# migrations, the OpenAPI document and the web UI, so the server is one binary.
function(cadastre_embed target)
  cmake_parse_arguments(ARG "" "NAMESPACE;FUNCTION" "FILES;NAMES;DEPENDS" ${ARGN})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/embed_${target})
  set(header ${out_dir}/${target}.h)
  set(source ${out_dir}/${target}.cc)
  add_custom_command(
    OUTPUT ${header} ${source}
    COMMAND ${CMAKE_COMMAND} -DOUT_DIR=${out_dir} -DTARGET=${target}
            -DNS=${ARG_NAMESPACE} -DFN=${ARG_FUNCTION} "-DFILES=${ARG_FILES}"
            "-DNAMES=${ARG_NAMES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    DEPENDS ${ARG_FILES} ${ARG_DEPENDS} ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    COMMENT "Embedding ${target}"
    # VERBATIM quotes the ';'-separated FILES list for the shell; without it
    # a second file would be run as a command.
    VERBATIM)
  add_library(${target} STATIC ${source} ${header})
  target_include_directories(${target} PUBLIC ${out_dir})
endfunction()
