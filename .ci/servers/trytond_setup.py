"""Sets a new Tryton 6.0 database up as a shop's Tryton is: a company
that books in euros, the admin user working for it, a few countries, a
minimal chart of accounts with receivable and payable defaults, last
year's, this year's and next year's fiscal years with their periods and
invoice numbering, VAT taxes
(21%, 9%, 0% and Germany's 19%), an accounting product category
("Goods") and two payment terms. Run by trytond.sh once, on the template.

Usage: python3 trytond_setup.py CONFIG DATABASE
"""
import datetime
import sys
from decimal import Decimal

from trytond.config import config

config.update_etc(sys.argv[1])

from trytond.pool import Pool  # noqa: E402 (after the configuration)
from trytond.transaction import Transaction  # noqa: E402

DATABASE = sys.argv[2]
COUNTRIES = [('NL', 'Netherlands'), ('DE', 'Germany'), ('BE', 'Belgium'),
    ('FR', 'France'), ('GB', 'United Kingdom'), ('US', 'United States')]
TAXES = [('VAT 21%', '0.21'), ('VAT 9%', '0.09'), ('VAT 0%', '0'),
    ('DE VAT 19%', '0.19')]


def company_and_user(pool):
    Currency = pool.get('currency.currency')
    Rate = pool.get('currency.currency.rate')
    Country = pool.get('country.country')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    eur, = Currency.create([{'name': 'Euro', 'code': 'EUR', 'symbol': '€',
        'rounding': Decimal('0.01'), 'digits': 2}])
    Rate.create([{'currency': eur.id, 'rate': Decimal(1),
        'date': datetime.date(2000, 1, 1)}])
    Country.create([{'code': c, 'name': n} for c, n in COUNTRIES])
    party, = Party.create([{'name': 'Switchboard Test BV',
        'addresses': [('create', [{}])]}])
    company = Company(party=party, currency=eur)
    company.save()
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {'companies': [('add', [company.id])],
        'company': company.id})
    return company


def chart(pool, company):
    ModelData = pool.get('ir.model.data')
    Template = pool.get('account.account.template')
    Account = pool.get('account.account')
    CreateChart = pool.get('account.create_chart', type='wizard')
    template = Template(ModelData.get_id('account', 'account_template_root_en'))
    session_id, _, _ = CreateChart.create()
    wizard = CreateChart(session_id)
    wizard.account.account_template = template
    wizard.account.company = company
    wizard.transition_create_account()
    receivable, = Account.search([('type.receivable', '=', True),
        ('party_required', '=', True), ('company', '=', company.id)], limit=1)
    payable, = Account.search([('type.payable', '=', True),
        ('party_required', '=', True), ('company', '=', company.id)], limit=1)
    wizard.properties.company = company
    wizard.properties.account_receivable = receivable
    wizard.properties.account_payable = payable
    wizard.transition_create_properties()


def account(pool, company, xml_id):
    ModelData = pool.get('ir.model.data')
    Account = pool.get('account.account')
    found, = Account.search([('company', '=', company.id),
        ('template', '=', ModelData.get_id('account', xml_id))])
    return found


def fiscal_years(pool, company):
    Sequence = pool.get('ir.sequence')
    Strict = pool.get('ir.sequence.strict')
    SequenceType = pool.get('ir.sequence.type')
    FiscalYear = pool.get('account.fiscalyear')
    InvoiceSequence = pool.get('account.fiscalyear.invoice_sequence')
    move_type, = SequenceType.search([('name', '=', 'Account Move')], limit=1)
    invoice_type, = SequenceType.search([('name', '=', 'Invoice')], limit=1)
    this = datetime.date.today().year
    for year in range(this - 1, this + 2):
        moves, = Sequence.create([{'name': str(year),
            'sequence_type': move_type.id, 'company': company.id}])
        invoices, = Strict.create([{'name': str(year),
            'sequence_type': invoice_type.id, 'company': company.id,
            'prefix': 'INV%s-' % year}])
        fiscal = FiscalYear(name=str(year), company=company,
            start_date=datetime.date(year, 1, 1),
            end_date=datetime.date(year, 12, 31), post_move_sequence=moves)
        fiscal.save()
        InvoiceSequence.create([{'company': company.id,
            'fiscalyear': fiscal.id, 'in_invoice_sequence': invoices.id,
            'in_credit_note_sequence': invoices.id,
            'out_invoice_sequence': invoices.id,
            'out_credit_note_sequence': invoices.id}])
        FiscalYear.create_period([fiscal])


def taxes_and_products(pool, company):
    Tax = pool.get('account.tax')
    Category = pool.get('product.category')
    Term = pool.get('account.invoice.payment_term')
    tax_account = account(pool, company, 'account_template_tax_en')
    Tax.create([{'name': name, 'description': name, 'type': 'percentage',
        'rate': Decimal(rate), 'company': company.id,
        'invoice_account': tax_account.id,
        'credit_note_account': tax_account.id} for name, rate in TAXES])
    Category.create([{'name': 'Goods', 'accounting': True,
        'account_revenue': account(pool, company, 'account_template_revenue_en').id,
        'account_expense': account(pool, company, 'account_template_expense_en').id}])
    Term.create([{'name': 'Direct', 'lines': [('create', [{'type': 'remainder',
            'relativedeltas': [('create', [{}])]}])]},
        {'name': '30 days', 'lines': [('create', [{'type': 'remainder',
            'relativedeltas': [('create', [{'days': 30}])]}])]}])


def main():
    Pool.start()
    pool = Pool(DATABASE)
    pool.init()
    with Transaction().start(DATABASE, 0, context={}) as transaction:
        company = company_and_user(pool)
        with transaction.set_context(company=company.id):
            chart(pool, company)
            fiscal_years(pool, company)
            taxes_and_products(pool, company)
        transaction.commit()
    print('template %s is set up' % DATABASE)


if __name__ == '__main__':
    main()
