package org.wpunet.core;

/**
 * Elementwise unary ops every backend implements. Backends dispatch on the enum: the CPU backend in
 * {@code CpuElementwise}, the CUDA backend with one generic kernel ({@code wp_unary} in
 * {@code elementwise.cu}) that receives the op's ordinal, so the order of the constants is part of that contract.
 */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, RELU, SIGMOID, TANH, SIGN, SQUARE, RECIPROCAL;

    /** Reference definition in double precision (the CPU backend's scalar path and tests use it). */
    public double apply(double x) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
            case TANH -> Math.tanh(x);
            case SIGN -> Math.signum(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
        };
    }

    /** True when the op only makes sense on floating types (the result of an integer input is F32). */
    public boolean needsFloat() {
        return switch (this) {
            case EXP, LOG, SQRT, SIGMOID, TANH, RECIPROCAL -> true;
            default -> false;
        };
    }
}
