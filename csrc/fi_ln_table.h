/*
 * Tables of the float64 logarithm (fi_vecmath.h, ln_f64).  The reduced
 * argument m in [sqrt(1/2), sqrt(2)) falls in one of 16 buckets, numbered by
 * the top four bits of its offset from sqrt(1/2) in the bit pattern; bucket j
 * has a multiplier FI_LN_F64_INVERSE[j] near 1 / (its midpoint), so that
 * r = m * inverse - 1 is within [-0.0292, 0.0393], and
 * FI_LN_F64_OFFSET[j] = -ln(inverse), rounded to double, so that
 * ln m = ln(1 + r) + offset.  The bucket holding 1 uses inverse 1 and
 * offset 0: there ln m is ln(1 + r) alone and keeps its relative precision
 * as m approaches 1.
 */
#ifndef FI_LN_TABLE_H
#define FI_LN_TABLE_H

static _Alignas(64) const double FI_LN_F64_INVERSE[16] = {
    0x1.62362d2d99700p+0, 0x1.5387df431f3ffp+0, 0x1.4604b51df14eep+0, 0x1.398a55b4e7c87p+0,
    0x1.2dfb788c82651p+0, 0x1.233eff3c6537bp+0, 0x1.193f3e6ed96e0p+0, 0x1.0fe96b526099bp+0,
    0x1.072d254b2fde0p+0, 0x1.0000000000000p+0, 0x1.de4c262921dd0p-1, 0x1.c3e982b34b150p-1,
    0x1.ac49267376f57p-1, 0x1.9701cc0584fc6p-1, 0x1.83be1c47c479dp-1, 0x1.72382d6da1710p-1,
};

static _Alignas(64) const double FI_LN_F64_OFFSET[16] = {
    -0x1.4c82a41b6f1a6p-2, -0x1.212a13c1206dfp-2, -0x1.ef286f52ec620p-3, -0x1.9f3bbfa30b86bp-3,
    -0x1.524fa73a8bd7bp-3, -0x1.082c7d7bae303p-3, -0x1.8140df35b1e24p-4, -0x1.edfadb57b8eddp-5,
    -0x1.c4f77d0cfa8a0p-6, 0.0, 0x1.16e76ad657c4ap-4, 0x1.ff54e507cc4c3p-4,
    0x1.6da33fabe491ap-3, 0x1.d6010d30f92f7p-3, 0x1.1ca789d984eb9p-2, 0x1.4c029c1ac45f8p-2,
};

#endif
