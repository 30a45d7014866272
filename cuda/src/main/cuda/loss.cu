// Fused cross-entropy losses: forward and gradient in one pass (Backend.weightedCrossEntropy,
// Backend.classWeightedCrossEntropy), computed in the logits' own type T (float for F32, double for F64,
// as PyTorch's CUDA log_softmax/nll_loss compute float in float) and rounded once when stored.
// Accuracy in float: log p_t = (x_t - m) - log(sum_k exp(x_k - m)) with m the max, and the loss is
// (m - x_t) + log(sum): two non-negative terms, so no cancellation (relative error a few 2^-24 even when
// lse ~ x_t); p_k = exp(x_k - m) * (1 / sum) has a relative error of a few 2^-24.
#include "common.cuh"

// Weighted cross entropy over compact logits [n, c, hw] with I32 targets [n, hw] and weights [n, hw]
// (null = 1): loss_p = w_p (lse_p - x_p[t_p]); grad (may be null) = w_p (softmax_p - onehot(t_p)).
template <typename T>
__device__ void weighted_ce(const T* x, const int* target, const T* weight, int n, int c, int hw, T* lossPix,
                            T* grad, int* err) {
    int total = n * hw;
    WP_LOOP(p, total) {
        int b = p / hw, s = p - b * hw;
        const T* xp = x + (size_t)b * c * hw + s;
        int t = target[p];
        if (!check_index(t, c, err)) continue;
        T m = T(-INFINITY);
        for (int k = 0; k < c; ++k) m = fmax(m, xp[(size_t)k * hw]);
        T sum = T(0);
        for (int k = 0; k < c; ++k) sum += exp(xp[(size_t)k * hw] - m);
        T wp = weight ? weight[p] : T(1);
        lossPix[p] = wp * ((m - xp[(size_t)t * hw]) + log(sum));
        if (grad) {
            T* gp = grad + (size_t)b * c * hw + s;
            T inv = T(1) / sum;
            for (int k = 0; k < c; ++k) {
                T sm = exp(xp[(size_t)k * hw] - m) * inv;
                gp[(size_t)k * hw] = wp * (sm - (k == t ? T(1) : T(0)));
            }
        }
    }
}

extern "C" __global__ void wp_weighted_ce_f32(const float* x, const int* t, const float* w, int n, int c, int hw,
                                              float* loss, float* grad, int* err) {
    weighted_ce<float>(x, t, w, n, c, hw, loss, grad, err);
}

extern "C" __global__ void wp_weighted_ce_f64(const double* x, const int* t, const double* w, int n, int c, int hw,
                                              double* loss, double* grad, int* err) {
    weighted_ce<double>(x, t, w, n, c, hw, loss, grad, err);
}

// Class-weighted cross entropy with a clamped softmax (Backend.classWeightedCrossEntropy; WPU-Net's
// WeightMapLoss) over compact logits and weights [n, c, hw]: p = softmax over c, a_k = [p_k >= clampMin]
// (PyTorch's clamp passes the gradient at the bound); loss_p = sum_k -w_k log(max(p_k, clampMin)), with
// log p_k = x_k - lse where it passes; grad (may be null) = p_k sum_j a_j w_j - a_k w_k.
template <typename T>
__device__ void class_weighted_ce(const T* x, const T* w, int n, int c, int hw, double clampMin, T* lossPix, T* grad) {
    int total = n * hw;
    T cmin = T(clampMin), logMin = T(log(clampMin));
    WP_LOOP(p, total) {
        int b = p / hw, s = p - b * hw;
        size_t base = (size_t)b * c * hw + s;
        const T* xp = x + base;
        const T* wp = w + base;
        T m = T(-INFINITY);
        for (int k = 0; k < c; ++k) m = fmax(m, xp[(size_t)k * hw]);
        T sum = T(0);
        for (int k = 0; k < c; ++k) sum += exp(xp[(size_t)k * hw] - m);
        T ls = log(sum), inv = T(1) / sum, l = T(0), aw = T(0);
        for (int k = 0; k < c; ++k) {
            T d = xp[(size_t)k * hw] - m, wk = wp[(size_t)k * hw];
            // -log p_k = (m - x_k) + log(sum); NaN passes the clamp, as torch.clamp propagates it
            if (!(exp(d) * inv < cmin)) { l += wk * (ls - d); aw += wk; }
            else l -= wk * logMin;
        }
        lossPix[p] = l;
        if (grad) {
            T* gp = grad + base;
            for (int k = 0; k < c; ++k) {
                T pk = exp(xp[(size_t)k * hw] - m) * inv;
                T ak = pk < cmin ? T(0) : T(1);
                gp[(size_t)k * hw] = pk * aw - ak * wp[(size_t)k * hw];
            }
        }
    }
}

extern "C" __global__ void wp_class_weighted_ce_f32(const float* x, const float* w, int n, int c, int hw, double clampMin,
                                                    float* loss, float* grad) {
    class_weighted_ce<float>(x, w, n, c, hw, clampMin, loss, grad);
}

extern "C" __global__ void wp_class_weighted_ce_f64(const double* x, const double* w, int n, int c, int hw, double clampMin,
                                                    double* loss, double* grad) {
    class_weighted_ce<double>(x, w, n, c, hw, clampMin, loss, grad);
}
