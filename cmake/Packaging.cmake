# `cpack -G DEB` (in the build folder) builds protectedfs_VERSION_amd64.deb: the command in /usr/bin, the mount(8)
# helper in /sbin, the man pages, bash completion, the protectedfs@.service user unit and its start helper, with
# the Debian dependencies dpkg-shlibdeps computes from the binary (tests/package checks it installs, mounts and
# removes cleanly, and that lintian finds no error).
include(GNUInstallDirs)
set(PFS_PACKAGING ${PROJECT_SOURCE_DIR}/packaging)
set(PFS_DOC_DIR share/doc/protectedfs)

install(TARGETS protectedfs RUNTIME DESTINATION bin)
# mount(8) looks for helpers in /sbin, whatever the prefix (an install as a user can point this elsewhere).
set(PFS_MOUNT_HELPER_DIR /sbin CACHE STRING "Where mount.protectedfs is installed (mount(8) looks in /sbin)")
install(PROGRAMS mount-helper/mount.protectedfs DESTINATION ${PFS_MOUNT_HELPER_DIR})
install(PROGRAMS ${PFS_PACKAGING}/protectedfs-service DESTINATION libexec/protectedfs)
install(FILES ${PFS_PACKAGING}/protectedfs@.service DESTINATION lib/systemd/user)
install(FILES ${PFS_PACKAGING}/protectedfs.bash-completion DESTINATION share/bash-completion/completions
        RENAME protectedfs)
# The helper's completion is the same file (it defines both): a symlink, as Debian's bash-completion does it.
install(CODE "file(CREATE_LINK protectedfs \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/share/bash-completion/completions/mount.protectedfs SYMBOLIC)")

# Man pages and the changelog compressed as Debian wants them (gzip -9n: reproducible, no name or time stamp).
configure_file(${PFS_PACKAGING}/changelog.in ${CMAKE_BINARY_DIR}/packaging/changelog @ONLY)
set(pfs_gz)
foreach(pair "man/protectedfs.1;share/man/man1" "man/mount.protectedfs.8;share/man/man8" "changelog;${PFS_DOC_DIR}")
  list(GET pair 0 source)
  list(GET pair 1 destination)
  get_filename_component(name ${source} NAME)
  set(input ${PROJECT_SOURCE_DIR}/${source})
  if(source STREQUAL "changelog")
    set(input ${CMAKE_BINARY_DIR}/packaging/changelog)
    set(name changelog)  # a native package (no Debian revision): changelog.gz
  endif()
  set(output ${CMAKE_BINARY_DIR}/packaging/${name}.gz)
  add_custom_command(OUTPUT ${output} COMMAND gzip -9nc ${input} > ${output} DEPENDS ${input} VERBATIM)
  list(APPEND pfs_gz ${output})
  install(FILES ${output} DESTINATION ${destination})
endforeach()
add_custom_target(pfs_package_files ALL DEPENDS ${pfs_gz})
add_dependencies(protectedfs pfs_package_files)  # `ninja protectedfs` is then all that cpack needs
# cpack (and `ninja install`) install what is built, without first building everything (the unit tests).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
install(FILES ${PFS_PACKAGING}/copyright DESTINATION ${PFS_DOC_DIR})

set(CPACK_PACKAGE_NAME protectedfs)
set(CPACK_PACKAGE_VENDOR "protectedfs maintainers")
set(CPACK_PACKAGE_CONTACT "protectedfs maintainers <maintainers@users.noreply.b-seed-8906a653.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "file system for iExec protected data")
set(CPACK_PACKAGE_DESCRIPTION "A FUSE file system for iExec protected data: a folder copied into the mount
becomes a protected data (zipped in iExec's format, encrypted, uploaded and registered), and extended
attributes show and set its schema, versions, grants and usage. Works offline on an embedded local network
and on iExec networks.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)  # the helper's absolute /sbin goes into the package too
set(CPACK_INSTALL_PREFIX /usr)  # with DESTDIR, the prefix the files are installed under
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # protectedfs_VERSION_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fuse3")  # fusermount3: unmounting as a user
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libsecret-tools")  # the service reads the password from the keyring with it
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://iex.ec")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
