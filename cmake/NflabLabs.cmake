# nflab_add_labs(DIR): registers every lab under DIR as a CTest test named
# "lab/<path relative to DIR>", run with `nflab run`, labelled "integration",
# with exit code 77 meaning skipped (a missing kernel feature or program).
function(nflab_add_labs dir)
  file(GLOB_RECURSE labs RELATIVE ${dir} CONFIGURE_DEPENDS ${dir}/*.yaml)
  list(SORT labs)
  foreach(lab ${labs})
    string(REGEX REPLACE "\\.yaml$" "" name ${lab})
    add_test(NAME lab/${name} COMMAND $<TARGET_FILE:nflab> run ${dir}/${lab})
    set_tests_properties(lab/${name} PROPERTIES
      LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 60)
  endforeach()
endfunction()
