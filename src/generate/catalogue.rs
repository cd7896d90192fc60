//! The generated shop's catalogue: categories, each with its own repurchase behaviour,
//! and a few hundred products with prices and a true purchase cycle.

use serde::Serialize;

use super::random::Random;

/// How customers whose favourite is in this category come back.
pub struct Category {
    pub name: &'static str,
    pub prefix: &'static str,
    /// Share of new customers whose favourite is here.
    pub popularity: f64,
    pub products: usize,
    pub price: (f64, f64),
    /// Range of products' mean cycle in days, and the spread of one interval.
    pub cycle: (f64, f64),
    pub cycle_sd: f64,
    /// Intervals are exponential (irregular) rather than normal.
    pub irregular: bool,
    /// Chance that a first-time buyer ever comes back.
    pub returns: f64,
    /// Chance of churning after each repeat purchase.
    pub churn: f64,
    pub nouns: &'static [&'static str],
}

pub const CATEGORIES: [Category; 8] = [
    Category {
        name: "coffee",
        prefix: "COF",
        popularity: 0.24,
        products: 60,
        price: (9.0, 24.0),
        cycle: (25.0, 31.0),
        cycle_sd: 5.0,
        irregular: false,
        returns: 0.5,
        churn: 0.12,
        nouns: &[
            "Beans",
            "Ground Coffee",
            "Espresso Blend",
            "Decaf",
            "Cold Brew",
        ],
    },
    Category {
        name: "tea",
        prefix: "TEA",
        popularity: 0.10,
        products: 40,
        price: (6.0, 18.0),
        cycle: (32.0, 40.0),
        cycle_sd: 6.0,
        irregular: false,
        returns: 0.45,
        churn: 0.15,
        nouns: &[
            "Green Tea",
            "Black Tea",
            "Herbal Infusion",
            "Chai",
            "Oolong",
        ],
    },
    Category {
        name: "skincare",
        prefix: "SKN",
        popularity: 0.15,
        products: 50,
        price: (14.0, 55.0),
        cycle: (60.0, 90.0),
        cycle_sd: 10.0,
        irregular: false,
        returns: 0.4,
        churn: 0.2,
        nouns: &["Face Cream", "Serum", "Cleanser", "Toner", "Sunscreen"],
    },
    Category {
        name: "supplements",
        prefix: "SUP",
        popularity: 0.10,
        products: 30,
        price: (12.0, 40.0),
        cycle: (29.0, 31.0),
        cycle_sd: 3.0,
        irregular: false,
        returns: 0.45,
        churn: 0.15,
        nouns: &[
            "Vitamin D",
            "Omega-3",
            "Magnesium",
            "Multivitamin",
            "Probiotic",
        ],
    },
    Category {
        name: "pet food",
        prefix: "PET",
        popularity: 0.10,
        products: 30,
        price: (15.0, 60.0),
        cycle: (20.0, 26.0),
        cycle_sd: 3.0,
        irregular: false,
        returns: 0.55,
        churn: 0.1,
        nouns: &[
            "Dry Dog Food",
            "Cat Kibble",
            "Wet Food Pack",
            "Puppy Food",
            "Senior Formula",
        ],
    },
    Category {
        name: "household",
        prefix: "HOM",
        popularity: 0.10,
        products: 30,
        price: (4.0, 20.0),
        cycle: (40.0, 50.0),
        cycle_sd: 8.0,
        irregular: false,
        returns: 0.4,
        churn: 0.2,
        nouns: &[
            "Laundry Liquid",
            "Dish Tabs",
            "Surface Spray",
            "Hand Soap",
            "Refill Pouch",
        ],
    },
    Category {
        name: "apparel",
        prefix: "APP",
        popularity: 0.16,
        products: 50,
        price: (15.0, 90.0),
        cycle: (100.0, 140.0),
        cycle_sd: 0.0,
        irregular: true,
        returns: 0.3,
        churn: 0.35,
        nouns: &["T-Shirt", "Hoodie", "Socks", "Jeans", "Jacket"],
    },
    Category {
        name: "furniture",
        prefix: "FUR",
        popularity: 0.05,
        products: 20,
        price: (80.0, 900.0),
        cycle: (700.0, 900.0),
        cycle_sd: 120.0,
        irregular: false,
        returns: 0.02,
        churn: 0.9,
        nouns: &["Desk", "Chair", "Bookshelf", "Side Table", "Lamp"],
    },
];

const ADJECTIVES: [&str; 12] = [
    "Classic",
    "Organic",
    "Premium",
    "Everyday",
    "Fresh",
    "Gentle",
    "Bold",
    "Nordic",
    "Pure",
    "Daily",
    "Signature",
    "Essential",
];

/// One product and its true purchase cycle: what `--truth` writes.
#[derive(Clone, Debug, Serialize)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub category: &'static str,
    /// Price in cents.
    #[serde(skip)]
    pub price_cents: i64,
    pub cycle_mean_days: f64,
    pub cycle_sd_days: f64,
    pub irregular: bool,
    #[serde(skip)]
    pub category_index: usize,
}

pub fn build(random: &mut Random) -> Vec<Product> {
    let mut products = Vec::new();
    for (category_index, category) in CATEGORIES.iter().enumerate() {
        for i in 0..category.products {
            let noun = category.nouns[i % category.nouns.len()];
            let adjective = ADJECTIVES[(i / category.nouns.len()) % ADJECTIVES.len()];
            let mean = random.between(category.cycle.0, category.cycle.1);
            products.push(Product {
                sku: format!("{}-{:03}", category.prefix, i + 1),
                name: format!("{adjective} {noun}"),
                category: category.name,
                price_cents: (random.between(category.price.0, category.price.1) * 4.0).round()
                    as i64
                    * 25,
                cycle_mean_days: (mean * 10.0).round() / 10.0,
                cycle_sd_days: if category.irregular {
                    (mean * 10.0).round() / 10.0
                } else {
                    category.cycle_sd
                },
                irregular: category.irregular,
                category_index,
            });
        }
    }
    products
}
