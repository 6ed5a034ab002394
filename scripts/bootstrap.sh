# Shared by ./llmplan and ./test.sh: install missing system packages and build the CLI when sources changed.
# Sourced, not run; prints progress on stdout of the caller (the callers send it to stderr).

llmplan_require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "llmplan: the .NET 10 SDK is required (https://dotnet.microsoft.com/download); 'dotnet' is not on PATH." >&2
    exit 3
  fi
}

# The CBC MILP solver library (libCbcSolver.so.3), used by the fleet and robust planners.
llmplan_install_cbc() {
  if ldconfig -p 2>/dev/null | grep -q 'libCbcSolver\.so\.3 '; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "llmplan: warning: libCbcSolver.so.3 is missing and apt-get is not available; install the COIN-OR CBC library" \
         "(Debian/Ubuntu package coinor-libcbc3) by hand. Verbs that solve MILPs (fleet, robust) exit 3 without it." >&2
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "llmplan: warning: coinor-libcbc3 is missing and this user is not root and has no sudo; ask an administrator to run" \
           "'apt-get install coinor-libcbc3'." >&2
      return 0
    fi
  fi
  echo "llmplan: installing coinor-libcbc3 (COIN-OR CBC solver library) with apt-get ..."
  if ! { $sudo apt-get install -y -q coinor-libcbc3 >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q coinor-libcbc3 >/dev/null; }; }; then
    echo "llmplan: warning: 'apt-get install coinor-libcbc3' failed; verbs that solve MILPs (fleet, robust) will exit 3." >&2
  fi
}

# Builds src/LlmPlan.Cli in Release into .build/cli when any source, project or data file is newer than the last build.
llmplan_build() {
  local root="$1" stamp="$1/.build/cli.stamp"
  if [ -f "$stamp" ] && [ -z "$(find "$root/src" "$root/data" "$root/Directory.Build.props" "$root/Directory.Packages.props" \
        "$root/global.json" -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  echo "llmplan: building (Release) ..."
  mkdir -p "$root/.build"
  if ! dotnet build "$root/src/LlmPlan.Cli/LlmPlan.Cli.csproj" -c Release -o "$root/.build/cli" -nologo -v quiet >"$root/.build/build.log" 2>&1; then
    cat "$root/.build/build.log" >&2
    echo "llmplan: the build failed (log above, also in .build/build.log)." >&2
    exit 3
  fi
  touch "$stamp"
}

llmplan_bootstrap() {
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  llmplan_require_dotnet
  llmplan_install_cbc
  llmplan_build "$1"
}
