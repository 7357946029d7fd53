/*
 * Tables of the float64 logarithm (fi_vecmath.h, neg2_ln_f64).  The reduced
 * argument m in [sqrt(1/2), sqrt(2)) falls in one of 16 buckets, numbered by
 * the top four bits of its offset from sqrt(1/2) in the bit pattern.  Bucket
 * j has a multiplier c_j near 1 / (its midpoint), so that r = m c_j - 1 is
 * within [-0.0292, 0.0393], and ln m = ln(1 + r) - ln c_j.  The bucket
 * holding 1 uses c_j = 1: there ln m is ln(1 + r) alone and keeps its
 * relative precision as m approaches 1.
 *
 * The tables hold what the kernels use, -2 c_j and 2 ln c_j (rounded to
 * double), so that t = -2r = m (-2 c_j) + 2 in one FMA and
 * -2 ln m = -2 ln(1 + r) + 2 ln c_j.
 */
#ifndef FI_LN_TABLE_H
#define FI_LN_TABLE_H

static _Alignas(64) const double FI_NEG2_LN_F64_SCALE[16] = {
    -0x1.62362d2d99700p+1, -0x1.5387df431f3ffp+1, -0x1.4604b51df14eep+1, -0x1.398a55b4e7c87p+1,
    -0x1.2dfb788c82651p+1, -0x1.233eff3c6537bp+1, -0x1.193f3e6ed96e0p+1, -0x1.0fe96b526099bp+1,
    -0x1.072d254b2fde0p+1, -0x1.0000000000000p+1, -0x1.de4c262921dd0p+0, -0x1.c3e982b34b150p+0,
    -0x1.ac49267376f57p+0, -0x1.9701cc0584fc6p+0, -0x1.83be1c47c479dp+0, -0x1.72382d6da1710p+0,
};

static _Alignas(64) const double FI_NEG2_LN_F64_OFFSET[16] = {
    0x1.4c82a41b6f1a6p-1, 0x1.212a13c1206dfp-1, 0x1.ef286f52ec620p-2, 0x1.9f3bbfa30b86bp-2,
    0x1.524fa73a8bd7bp-2, 0x1.082c7d7bae303p-2, 0x1.8140df35b1e24p-3, 0x1.edfadb57b8eddp-4,
    0x1.c4f77d0cfa8a0p-5, 0.0, -0x1.16e76ad657c4ap-3, -0x1.ff54e507cc4c3p-3,
    -0x1.6da33fabe491ap-2, -0x1.d6010d30f92f7p-2, -0x1.1ca789d984eb9p-1, -0x1.4c029c1ac45f8p-1,
};

#endif
