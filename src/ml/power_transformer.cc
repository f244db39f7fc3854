// power_transformer: Yeo-Johnson or Box-Cox with each column's lambda fitted
// by maximum likelihood as scikit-learn 1.2 fits it (scipy's Brent
// minimizer, bracket (-2, 2), tolerance 1.48e-8, ported step by step so the
// same lambda comes out), then `standardize` (default true) to zero mean and
// unit variance on the transformed training data.
// The likelihood needs the whole column for every trial lambda, so the fit
// gathers each column's finite values on the driver (8 bytes a value) —
// unlike the other preprocessors, whose partial states are small.
#include <cfloat>
#include <cmath>
#include <algorithm>
#include <functional>

#include "ml/preprocessor.h"

namespace strata::ml {

namespace {

double YeoJohnson(double x, double lambda) {
  if (x >= 0) {
    return std::fabs(lambda) < DBL_EPSILON ? std::log1p(x) : (std::pow(x + 1, lambda) - 1) / lambda;
  }
  return std::fabs(lambda - 2) > DBL_EPSILON ? -(std::pow(-x + 1, 2 - lambda) - 1) / (2 - lambda) : -std::log1p(-x);
}

// scipy.special.boxcox.
double BoxCox(double x, double lambda) {
  return std::fabs(lambda) < 1e-19 ? std::log(x) : std::expm1(lambda * std::log(x)) / lambda;
}

// numpy's float64 sum, bit for bit: pairwise (blocks of 8 lanes up to 128
// values, halves above) within chunks of 8192 values, the chunks added in
// order. The likelihood's minimum is flat, so a last-bit difference in a sum
// can steer Brent to a lambda 1e-8 away; the same sums give the same lambda.
double PairwiseSum(const double* a, size_t n) {
  if (n < 8) {
    double r = 0.;
    for (size_t i = 0; i < n; ++i) r += a[i];
    return r;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + static_cast<size_t>(j)];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseSum(a, n2) + PairwiseSum(a + n2, n - n2);
}

double NumpySum(const std::vector<double>& v) {
  constexpr size_t kChunk = 8192;
  double res = 0;
  for (size_t i = 0; i < v.size(); i += kChunk) res += PairwiseSum(v.data() + i, std::min(kChunk, v.size() - i));
  return res;
}

// numpy's var (two passes, population).
double Variance(const std::vector<double>& v) {
  const double mean = NumpySum(v) / static_cast<double>(v.size());
  std::vector<double> sq(v.size());
  for (size_t i = 0; i < v.size(); ++i) sq[i] = (v[i] - mean) * (v[i] - mean);
  return NumpySum(sq) / static_cast<double>(v.size());
}

// scipy.optimize.bracket then Brent.optimize (scipy 1.10), minimizing f.
double BrentMinimize(const std::function<double(double)>& f) {
  const double gold = 1.618034, very_small = 1e-21, grow_limit = 110.0;
  double xa = -2, xb = 2;
  double fa = f(xa), fb = f(xb);
  if (fa < fb) std::swap(xa, xb), std::swap(fa, fb);
  double xc = xb + gold * (xb - xa), fc = f(xc);
  for (int iter = 0; fc < fb && iter <= 1000; ++iter) {
    const double tmp1 = (xb - xa) * (fb - fc), tmp2 = (xb - xc) * (fb - fa);
    const double val = tmp2 - tmp1;
    const double denom = std::fabs(val) < very_small ? 2.0 * very_small : 2.0 * val;
    double w = xb - ((xb - xc) * tmp2 - (xb - xa) * tmp1) / denom, fw;
    const double wlim = xb + grow_limit * (xc - xb);
    if ((w - xc) * (xb - w) > 0.0) {
      fw = f(w);
      if (fw < fc) {
        xa = xb, xb = w, fa = fb, fb = fw;
        break;
      } else if (fw > fb) {
        xc = w, fc = fw;
        break;
      }
      w = xc + gold * (xc - xb);
      fw = f(w);
    } else if ((w - wlim) * (wlim - xc) >= 0.0) {
      w = wlim;
      fw = f(w);
    } else if ((w - wlim) * (xc - w) > 0.0) {
      fw = f(w);
      if (fw < fc) {
        xb = xc, xc = w, w = xc + gold * (xc - xb), fb = fc, fc = fw, fw = f(w);
      }
    } else {
      w = xc + gold * (xc - xb);
      fw = f(w);
    }
    xa = xb, xb = xc, xc = w, fa = fb, fb = fc, fc = fw;
  }
  const double tol = 1.48e-8, mintol = 1.0e-11, cg = 0.3819660;
  double x = xb, w = xb, v = xb, fx = fb, fw = fb, fv = fb;
  double a = xa < xc ? xa : xc, b = xa < xc ? xc : xa;
  double deltax = 0.0, rat = 0.0;
  for (int iter = 0; iter < 500; ++iter) {
    const double tol1 = tol * std::fabs(x) + mintol, tol2 = 2.0 * tol1, xmid = 0.5 * (a + b);
    if (std::fabs(x - xmid) < (tol2 - 0.5 * (b - a))) break;
    if (std::fabs(deltax) <= tol1) {
      deltax = x >= xmid ? a - x : b - x;
      rat = cg * deltax;
    } else {
      const double tmp1 = (x - w) * (fx - fv);
      double tmp2 = (x - v) * (fx - fw);
      double p = (x - v) * tmp2 - (x - w) * tmp1;
      tmp2 = 2.0 * (tmp2 - tmp1);
      if (tmp2 > 0.0) p = -p;
      tmp2 = std::fabs(tmp2);
      const double dx_temp = deltax;
      deltax = rat;
      if (p > tmp2 * (a - x) && p < tmp2 * (b - x) && std::fabs(p) < std::fabs(0.5 * tmp2 * dx_temp)) {
        rat = p * 1.0 / tmp2;
        const double u = x + rat;
        if ((u - a) < tol2 || (b - u) < tol2) rat = xmid - x >= 0 ? tol1 : -tol1;
      } else {
        deltax = x >= xmid ? a - x : b - x;
        rat = cg * deltax;
      }
    }
    const double u = std::fabs(rat) < tol1 ? (rat >= 0 ? x + tol1 : x - tol1) : x + rat;
    const double fu = f(u);
    if (fu > fx) {
      if (u < x) {
        a = u;
      } else {
        b = u;
      }
      if (fu <= fw || w == x) {
        v = w, w = u, fv = fw, fw = fu;
      } else if (fu <= fv || v == x || v == w) {
        v = u, fv = fu;
      }
    } else {
      if (u >= x) {
        a = x;
      } else {
        b = x;
      }
      v = w, w = x, x = u, fv = fw, fw = fx, fx = fu;
    }
  }
  return x;
}

double FitYeoJohnson(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  std::vector<double> terms(x.size());
  for (size_t i = 0; i < x.size(); ++i) terms[i] = (x[i] > 0 ? 1.0 : x[i] < 0 ? -1.0 : 0.0) * std::log1p(std::fabs(x[i]));
  const double signed_log = NumpySum(terms);
  std::vector<double> t(x.size());
  return BrentMinimize([&](double lambda) {
    for (size_t i = 0; i < x.size(); ++i) t[i] = YeoJohnson(x[i], lambda);
    const double var = Variance(t);
    if (var < DBL_MIN) return static_cast<double>(INFINITY);
    return -(-n / 2 * std::log(var) + (lambda - 1) * signed_log);
  });
}

double FitBoxCox(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  std::vector<double> logs(x.size()), t(x.size());
  for (size_t i = 0; i < x.size(); ++i) logs[i] = std::log(x[i]);
  const double sum_log = NumpySum(logs);
  return BrentMinimize([&](double lambda) {
    if (lambda == 0) {
      t = logs;
    } else {
      for (size_t i = 0; i < x.size(); ++i) t[i] = std::pow(x[i], lambda) / lambda;
    }
    return -((lambda - 1) * sum_log - n / 2 * std::log(Variance(t)));
  });
}

class PowerTransformer : public Preprocessor {
 public:
  Status Configure(const json& p) override {
    method_ = p.value("method", std::string("yeo-johnson"));
    if (method_ != "yeo-johnson" && method_ != "box-cox") {
      return InvalidArgument("method must be yeo-johnson or box-cox, not '" + method_ + "'");
    }
    standardize_ = p.value("standardize", true);
    return OkStatus();
  }
  // Round 0 gathers the values; round 1 (standardize) the transformed moments.
  Status Accumulate(const Block& b, FitPartial* partial) const override {
    std::vector<double> values;
    partial->selects.resize(columns_.size());
    partial->moments.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_RETURN_IF_ERROR(FiniteValues(b, columns_[i], &values));
      if (lambdas_.empty()) {
        if (method_ == "box-cox") {
          for (double x : values) {
            if (x <= 0) {
              return InvalidArgument(Fail("column '" + columns_[i] + "' holds " + std::to_string(x) +
                                     ": box-cox needs strictly positive values (yeo-johnson takes any)"));
            }
          }
        }
        partial->selects[i].resize(1);
        auto& out = partial->selects[i][0].values;
        out.insert(out.end(), values.begin(), values.end());
      } else {
        for (double x : values) partial->moments[i].Add(Apply(x, lambdas_[i]));
      }
    }
    return OkStatus();
  }
  Status EndRound(const FitPartial& merged) override {
    if (lambdas_.empty()) {
      for (size_t i = 0; i < columns_.size(); ++i) {
        const bool any = i < merged.selects.size() && !merged.selects[i].empty() &&
                         !merged.selects[i][0].values.empty();
        if (!any) {
          return InvalidArgument(Fail("column '" + columns_[i] + "' has no values to fit a lambda to"));
        }
        const std::vector<double>& x = merged.selects[i][0].values;
        lambdas_.push_back(method_ == "box-cox" ? FitBoxCox(x) : FitYeoJohnson(x));
      }
      fitted_ = !standardize_;
      return OkStatus();
    }
    mean_.clear();
    scale_.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      const Moments m = i < merged.moments.size() ? merged.moments[i] : Moments();
      mean_.push_back(m.mean);
      scale_.push_back(m.StandardScale());
    }
    fitted_ = true;
    return OkStatus();
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const double lambda = lambdas_[i];
      const double mean = standardize_ ? mean_[i] : 0.0, scale = standardize_ ? scale_[i] : 1.0;
      STRATA_RETURN_IF_ERROR(MapColumn(b, i, [&](double x) { return (Apply(x, lambda) - mean) / scale; }));
    }
    return OkStatus();
  }
  json SaveFit() const override {
    json j = {{"lambdas", lambdas_}};
    if (fitted_ && standardize_) j["mean"] = mean_, j["scale"] = scale_;
    return j;
  }
  Status LoadFit(const json& j) override {
    lambdas_ = j.value("lambdas", std::vector<double>());
    mean_ = j.value("mean", std::vector<double>());
    scale_ = j.value("scale", std::vector<double>());
    if (fitted_ && (lambdas_.size() != columns_.size() || (standardize_ && scale_.size() != columns_.size()))) {
      return InvalidArgument("the fitted state does not have a lambda (and scale) for each of its columns");
    }
    return OkStatus();
  }

 private:
  double Apply(double x, double lambda) const { return method_ == "box-cox" ? BoxCox(x, lambda) : YeoJohnson(x, lambda); }

  std::string method_ = "yeo-johnson";
  bool standardize_ = true;
  std::vector<double> lambdas_, mean_, scale_;
};

}  // namespace

void AddPowerTransformer(std::map<std::string, PreprocessorInfo>& r) {
  r["power_transformer"] = PreprocessorInfo{
      {"method", "standardize"}, true, [] { return std::make_unique<PowerTransformer>(); }};
}

}  // namespace strata::ml
