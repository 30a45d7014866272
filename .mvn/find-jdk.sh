# Sourced by ./mvnw, bin/wpunet and .ci/run: exports JAVA_HOME pointing at a JDK >= 25.
# Order: an existing JAVA_HOME if it is >= 25, else the newest /usr/lib/jvm/*25* (or later) JDK.
wpunet_java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
wpunet_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(wpunet_java_major "$JAVA_HOME"); [ "${v:-0}" -ge 25 ] 2>/dev/null && return 0
  fi
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* /usr/lib/jvm/*3[0-9]* /opt/java/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(wpunet_java_major "$d"); if [ "${v:-0}" -ge 25 ] 2>/dev/null; then JAVA_HOME=$d; export JAVA_HOME; return 0; fi
  done
  echo "error: no JDK >= 25 found (JAVA_HOME='${JAVA_HOME:-}', nothing under /usr/lib/jvm). Install a Temurin 25 JDK or set JAVA_HOME." >&2
  return 1
}
wpunet_find_jdk || exit 2
