"""After-sales: refunds, returns, exchanges, reissues, compensation, complaints and surveys."""
