//! Splitting an amount across parts in proportion to their weights, to the
//! last minor unit (largest remainder).

/// `amount` split by `weights`: every share is within one unit of the
/// exact proportion and the shares add up to `amount`. All weights zero
/// (or none) gives the whole to the first part, or nothing.
pub fn by_weight(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total == 0 {
        let mut out = vec![0; weights.len()];
        out[0] = amount;
        return out;
    }
    let a = i128::from(amount);
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut rests: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let n = a * i128::from((*w).max(0));
        shares.push(n.div_euclid(total));
        rests.push((n.rem_euclid(total), i));
    }
    let mut left = a - shares.iter().sum::<i128>();
    rests.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    for (_, i) in rests {
        if left <= 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_exactly() {
        assert_eq!(by_weight(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(by_weight(10, &[0, 0]), vec![10, 0]);
        assert_eq!(by_weight(0, &[5, 5]), vec![0, 0]);
        assert_eq!(by_weight(7, &[]), Vec::<i64>::new());
        assert_eq!(by_weight(500, &[1_180_000, 118_000]), vec![455, 45]);
    }

    proptest! {
        #[test]
        fn shares_add_up_and_stay_near(amount in 0i64..1_000_000_000_000, weights in prop::collection::vec(0i64..1_000_000_000, 1..30)) {
            let s = by_weight(amount, &weights);
            prop_assert_eq!(s.iter().sum::<i64>(), amount);
            let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            if total > 0 {
                for (share, w) in s.iter().zip(&weights) {
                    let exact = i128::from(amount) * i128::from(*w);
                    let diff = (i128::from(*share) * total - exact).abs();
                    prop_assert!(diff < total, "share {} off by more than one unit", share);
                }
            }
        }
    }
}
