//! Generated rows as a Parquet file: typed columns (a timestamp, integers, floats),
//! as a warehouse would export them.

use polars::prelude::*;

use super::{Row, Sink};

#[derive(Default)]
pub struct ParquetSink {
    order_id: Vec<String>,
    customer_id: Vec<Option<String>>,
    order_date_ms: Vec<i64>,
    sku: Vec<String>,
    product_name: Vec<String>,
    category: Vec<&'static str>,
    quantity: Vec<i64>,
    unit_price: Vec<f64>,
    line_total: Vec<f64>,
}

impl Sink for ParquetSink {
    fn row(&mut self, row: &Row) -> std::io::Result<()> {
        self.order_id.push(row.order_id.to_string());
        self.customer_id
            .push((!row.customer_id.is_empty()).then(|| row.customer_id.to_string()));
        self.order_date_ms.push(row.minute * 60_000);
        self.sku.push(row.product.sku.clone());
        self.product_name.push(row.product.name.clone());
        self.category.push(row.product.category);
        self.quantity.push(row.quantity);
        self.unit_price.push(row.unit_price_cents as f64 / 100.0);
        self.line_total.push(row.line_total_cents as f64 / 100.0);
        Ok(())
    }
}

impl ParquetSink {
    pub fn write(self, out: impl std::io::Write) -> PolarsResult<()> {
        let height = self.order_id.len();
        let order_date = Int64Chunked::from_vec("order_date".into(), self.order_date_ms)
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_column();
        let mut frame = DataFrame::new(
            height,
            vec![
                Column::new("order_id".into(), self.order_id),
                Column::new("customer_id".into(), self.customer_id),
                order_date,
                Column::new("sku".into(), self.sku),
                Column::new("product_name".into(), self.product_name),
                Column::new("category".into(), self.category),
                Column::new("quantity".into(), self.quantity),
                Column::new("unit_price".into(), self.unit_price),
                Column::new("line_total".into(), self.line_total),
            ],
        )?;
        ParquetWriter::new(out).finish(&mut frame)?;
        Ok(())
    }
}
