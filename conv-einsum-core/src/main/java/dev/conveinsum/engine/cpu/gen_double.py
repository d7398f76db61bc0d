#!/usr/bin/env python3
# Regenerates the float64 code of this package from the float32 code.
# Usage (from this directory): python3 gen_double.py VectorKernels.java ScalarKernels.java Gemm.java ConvKernel.java VectorDepthwise.java
# (.ci/run regenerates into a temporary copy and fails on any difference.)
# Every region between "// BEGIN FLOAT" and "// END FLOAT" is rewritten with double types and
# D-suffixed names and placed, replacing the previous one, between "// BEGIN DOUBLE (generated)"
# and "// END DOUBLE" before the class's closing brace. Edit the float code, then rerun this.
import re,sys
def regenerate(p):
    s=open(p).read()
    _regen(p, s)

def conv(t):
    reps=[("FloatVector","DoubleVector"),("new float[","new double["),("VectorSpecies<Float>","VectorSpecies<Double>"),("float[]","double[]"),("(float)","(double)"),
          ("float ","double "),("fbuf","dbuf"),("sgemm","dgemm"),("sdotSegments","ddotSegments"),("dot44TailF","dot44TailD"),("dot44F","dot44D"),("dotScalarF","dotScalarD"),("dot11F","dot11D"),("segmentDotsF","segmentDotsD"),("0f","0.0"),("FS","DS"),("FL","DL"),("NRF","NRD"),("NCF","NCD"),("F_","D_"),
          ("kernelRowsAcc8F","kernelRowsAcc8D"),("kernelRows8F","kernelRows8D"),("kernelF","kernelD"),("kernelAccF","kernelAccD"),("kernel8F","kernel8D"),("kernel6F","kernel6D"),("kernelAcc8F","kernelAcc8D"),("kernelAcc6F","kernelAcc6D"),("dotsF","dotsD"),("dotRowF","dotRowD"),("corr4F","corr4D"),("corr2F","corr2D"),("corr1F","corr1D"),("corrHalfF","corrHalfD"),("HFS","HDS"),("HFL","HDL"),("storeF","storeD"),("fusedDirectF","fusedDirectD"),("directF","directD"),("floatLanes","doubleLanes"),("taps2F","taps2D"),("taps1F","taps1D"),("rowsDirectF","rowsDirectD"),("im2colF","im2colD"),("fftF","fftD"),("gatherF","gatherD"),("shiftedF","shiftedD"),("padF","padD"),("Scratch.floats","Scratch.doubles"),("blockedF","blockedD"),("implicitF","implicitD"),("compactF","compactD"),("newFftF","newFftD"),("forwardF","forwardD"),("inverseF","inverseD"),("broadcastF","broadcastD"),("vectorF","vectorD"),("Float","Double")]
    for a,b in reps: t=t.replace(a,b)
    return t
def _regen(p, s):
    s2=s
    blocks=re.findall(r"  // BEGIN FLOAT\n(.*?)  // END FLOAT\n",s,re.S)
    gen="".join(conv(b) for b in blocks)
    s2=re.sub(r"  // BEGIN DOUBLE \(generated\)\n.*?  // END DOUBLE\n","",s2,flags=re.S)
    idx=s2.rstrip().rfind("}")
    s2=s2[:idx]+"  // BEGIN DOUBLE (generated)\n"+gen+"  // END DOUBLE\n"+s2[idx:]
    open(p,'w').write(s2)

for f in sys.argv[1:]:
    regenerate(f)
